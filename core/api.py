"""Shared pieces of the storefront API: the error shape, JSON body reading."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.validation import FieldError


def error_body(field: str, message: str) -> dict[str, Any]:
    """The body of every 4xx: ``{"errors": [{"field": ..., "message": ...}]}``."""
    return {"errors": [{"field": field, "message": message}]}


def read_json_body(request: HttpRequest) -> Any:
    """The request body parsed as JSON; FieldError("body") when it is not JSON.

    Reads ``request.body`` directly (not DRF's parsers) so every error has our shape, a body
    over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` included.
    """
    try:
        raw = request.body
    except RequestDataTooBig:
        raise FieldError("body", f"is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes") from None
    return parse_json_body(raw)


def parse_json_body(raw: bytes) -> Any:
    """``raw`` parsed as JSON; FieldError("body") when empty or not JSON."""
    if not raw:
        raise FieldError("body", "is empty; send a JSON object")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FieldError("body", f"is not valid JSON ({exc})") from None
    except RecursionError:  # arrays or objects nested hundreds deep: no request needs that
        raise FieldError("body", "is nested too deeply") from None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler that answers in the API's error shape."""
    if isinstance(exc, FieldError):
        return Response({"errors": [exc.as_dict()]}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors: list[dict[str, str]] = []
        _flatten(exc.detail, "", errors)
        response.data = {"errors": errors or [{"field": "body", "message": "invalid"}]}
    else:
        detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
        response.data = error_body("authorization" if response.status_code in (401, 403) else "request", str(detail))
    return response


def _flatten(detail: Any, path: str, out: list[dict[str, str]]) -> None:
    if isinstance(detail, dict):
        for key, value in detail.items():
            _flatten(value, f"{path}.{key}" if path else str(key), out)
    elif isinstance(detail, list):
        if all(isinstance(item, (str, exceptions.ErrorDetail)) for item in detail):
            for item in detail:
                out.append({"field": path or "body", "message": str(item)})
        else:
            for index, item in enumerate(detail):
                _flatten(item, f"{path}[{index}]", out)
    else:
        out.append({"field": path or "body", "message": str(detail)})
