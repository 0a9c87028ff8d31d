"""Events API: POST /api/v1/events."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.serializers import EventsRequestSerializer, EventsResponseSerializer
from analytics.services import events_ingest
from closetads.api import read_json_body
from closetads.validation import FieldError
from sellers.serializers import ErrorsSerializer

logger = logging.getLogger(__name__)
_ERRORS = {400: ErrorsSerializer, 401: ErrorsSerializer, 403: ErrorsSerializer}


class EventsView(APIView):
    required_scope = "events"

    @extend_schema(
        summary="Report impressions, clicks, purchases and cancellations",
        description=(
            "Each list is optional, at most 500 events. `id` is the idempotency key per kind: an event "
            "already stored counts in `duplicates` and changes nothing. A bad event is rejected alone "
            "(with the field path and reason) and the rest are stored. Sponsored clicks are charged at "
            "most once, at their resolved bid's price, when valid; an invalid one is stored free with "
            "its reason. A purchase marks its listings sold."
        ),
        request=EventsRequestSerializer, responses={200: EventsResponseSerializer, **_ERRORS}, tags=["events"],
    )
    def post(self, request):
        try:
            body = read_json_body(request)
        except RequestDataTooBig:
            raise FieldError("body", "is too large; send at most 500 events per list") from None
        try:
            return Response(events_ingest(body))
        except DatabaseError as exc:
            # Not the client's fault and safe to retry (ids make resending harmless).
            logger.exception("events batch failed in the database")
            return Response({"errors": [{"field": "body", "message": f"temporarily unavailable ({type(exc).__name__}); "
                                                                      "resend the batch"}]}, status=503)
