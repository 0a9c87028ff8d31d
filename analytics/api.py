"""Events API: POST /api/v1/events."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.serializers import EventsResponseSerializer
from analytics.services import events_ingest_json
from core.api import parse_json_body
from core.contract import request_body
from core.validation import FieldError
from sellers.serializers import ErrorsSerializer

_ERRORS = {400: ErrorsSerializer, 401: ErrorsSerializer, 403: ErrorsSerializer}
# Four lists of 500 events (purchases of up to 100 items) can exceed Django's 2.5 MB default
# for request bodies; this endpoint reads its body itself, up to this size.
MAX_BODY_BYTES = 16 * 1024 * 1024


def read_events_body(request) -> Any:
    """The JSON body, up to MAX_BODY_BYTES; FieldError("body") when larger, empty or not JSON."""
    return parse_json_body(read_events_bytes(request))


def read_events_bytes(request) -> bytes:
    """The body as sent, up to MAX_BODY_BYTES; FieldError("body") when larger. Read once, here:
    DRF's parsers never see it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise FieldError("body", f"is {length} bytes; at most {MAX_BODY_BYTES} per call")
    raw = request._request.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise FieldError("body", f"is larger than {MAX_BODY_BYTES} bytes")
    return raw


class EventsView(APIView):
    required_scope = "events"
    throttle_scope = "events"

    @extend_schema(
        summary="Report impressions, clicks, purchases and cancellations",
        description=(
            "Each list is optional, at most 500 events. `id` is the idempotency key per kind: an event "
            "already stored counts in `duplicates` and changes nothing. A bad event is rejected alone "
            "(with the field path and reason) and the rest are stored. Sponsored clicks are charged at "
            "most once, at their resolved bid's price, when valid; an invalid one is stored free with "
            "its reason. A purchase marks its listings sold."
        ),
        request=request_body("EventsRequest"), responses={200: EventsResponseSerializer, **_ERRORS}, tags=["events"],
    )
    def post(self, request):
        return Response(events_ingest_json(read_events_bytes(request)))
