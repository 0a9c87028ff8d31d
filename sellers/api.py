"""Catalog sync API: POST /api/v1/catalog/sellers and /api/v1/catalog/listings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import read_json_body
from core.contract import request_body
from core.validation import read_list, read_object
from sellers import catalog
from sellers.serializers import ErrorsSerializer, UpsertResponseSerializer

_ERRORS = {400: ErrorsSerializer, 401: ErrorsSerializer, 403: ErrorsSerializer}


class _CatalogUpsertView(APIView):
    required_scope = "catalog"
    throttle_scope = "catalog"
    kind = ""
    upsert: Callable[[list[Any]], catalog.UpsertResult]  # the subclass's catalog service

    def post(self, request):
        body = read_object(read_json_body(request), "body")
        items = read_list(body, self.kind, "", required=True, min_items=1, max_items=catalog.MAX_BATCH)
        return Response(type(self).upsert(items).as_dict())


class SellersUpsertView(_CatalogUpsertView):
    kind = "sellers"
    upsert = staticmethod(catalog.sellers_upsert)

    @extend_schema(
        summary="Create or update sellers", request=request_body("SellersRequest"),
        responses={200: UpsertResponseSerializer, **_ERRORS}, tags=["catalog"],
    )
    def post(self, request):
        return super().post(request)


class ListingsUpsertView(_CatalogUpsertView):
    kind = "listings"
    upsert = staticmethod(catalog.listings_upsert)

    @extend_schema(
        summary="Create or update listings",
        description="A listing with status sold or removed stops being promoted at once.",
        request=request_body("ListingsRequest"), responses={200: UpsertResponseSerializer, **_ERRORS},
        tags=["catalog"],
    )
    def post(self, request):
        return super().post(request)
