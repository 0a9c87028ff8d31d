"""POST /api/v1/auctions: a plain Django view on the storefront's search path.

Not DRF: per request it reads the change counters (one query; the key is cached), parses with ``json.loads``, validates
by hand and answers with ``json.dumps``; the design card's calibration measured DRF's
request machinery and serializers at about half the throughput. drf-spectacular still
documents it: the view carries ``AuctionsApiDoc`` as its ``cls``, the attribute the
schema generator reads on every URL callback, so the schema comes from that APIView's
``extend_schema`` while requests never go through DRF.

Never a 5xx: bad input is a 400 with field paths, auth a 401/403, and anything else
fails open (201 with ``error: true`` results).
"""

from __future__ import annotations

import json
import logging
from time import perf_counter

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from auction import services
from auction.parsing import parse_auctions
from auction.serializers import AuctionsResponseSerializer
from core import changes
from core.api import error_body, read_json_body
from core.api_auth import ApiAuthError, authenticate_api_key
from core.contract import request_body
from core.validation import FieldError
from sellers.serializers import ErrorsSerializer

logger = logging.getLogger(__name__)

SCOPE = "auctions"


def _json(body: dict, status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body, separators=(",", ":")), content_type="application/json", status=status)


def _auth_error(exc: ApiAuthError) -> HttpResponse:
    response = _json(error_body("authorization", exc.message), exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="closetads"'
    return response


@csrf_exempt
def auctions_endpoint(request) -> HttpResponse:
    """POST /api/v1/auctions (api.md)."""
    started = perf_counter()
    if request.method != "POST":
        response = _json(error_body("method", "use POST"), 405)
        response["Allow"] = "POST"
        return response
    versions = None
    try:
        # The change counters, read once for the API-key cache and the index: one query
        # (standing in for the connection health check), or none with the change listener.
        versions = changes.versions_current()
        authenticate_api_key(request.META.get("HTTP_AUTHORIZATION"), SCOPE, versions)
        authenticated = True
    except ApiAuthError as exc:
        return _auth_error(exc)
    except Exception:  # key store unreachable: fail open below, never a 5xx
        logger.exception("could not check the API key; auctions fail open")
        authenticated = False
    body = None
    try:
        body = read_json_body(request)
        if not authenticated:
            return _json({"results": [services.failed_result() for _ in parse_auctions(body)]}, 201)
        result = services.auctions_run(body, started_at=started, flush=False, versions=versions)
    except FieldError as exc:
        return _json({"errors": [exc.as_dict()]}, 400)
    except Exception:  # auctions_run fails open itself; this is the last net
        logger.exception("auction request failed; failing open")
        auctions = body.get("auctions") if isinstance(body, dict) else None
        count = len(auctions) if isinstance(auctions, list) else 1
        result = {"results": [services.failed_result() for _ in range(count)]}
    return _json(result, 201)


class AuctionsApiDoc(APIView):
    """Documents POST /api/v1/auctions for drf-spectacular (requests go to ``auctions_endpoint``)."""

    required_scope = SCOPE

    @extend_schema(
        operation_id="auctions_run",
        summary="Run auctions for a page",
        description=(
            "Send the page's organic candidates (in organic order); get back, per auction, the promoted "
            "listings worth showing, each with a signed resolvedBidId to send back with its impression and "
            "click. Only relevant, incremental ads win (relevance floor, organicTopK, incrementality gate), at "
            "most one per seller by default, priced by generalized second price. Fails open: `error: true` and "
            "no winners for an auction past the deadline or on an internal fault, never a 5xx."
        ),
        request=request_body("AuctionsRequest"),
        responses={201: AuctionsResponseSerializer, 400: ErrorsSerializer, 401: ErrorsSerializer,
                   403: ErrorsSerializer},
        tags=["auctions"],
    )
    def post(self, request):
        return auctions_endpoint(request._request)


# What the schema generator reads on a URL callback (see the module docstring).
auctions_endpoint.cls = AuctionsApiDoc  # type: ignore[attr-defined]
auctions_endpoint.initkwargs = {}  # type: ignore[attr-defined]
