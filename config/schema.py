"""The published OpenAPI document: every app's request contract put into it.

Configuration, not core: it gathers each app's ``contract.COMPONENTS`` (core/contract.py
has the shared pieces they are built from, and imports no app).
"""

from __future__ import annotations

from typing import Any

from core.contract import Schema, ref


def request_components() -> dict[str, Schema]:
    """Every request body's schema components, by name (each app's ``contract.COMPONENTS``)."""
    from analytics import contract as events
    from auction import contract as auctions
    from sellers import contract as catalog

    return {**auctions.COMPONENTS, **catalog.COMPONENTS, **events.COMPONENTS}



def postprocess_schema(result: Schema, generator: Any, request: Any, public: bool) -> Schema:
    """drf-spectacular hook: the contract's components, and each body they describe required
    (an empty body is a 400)."""
    components = request_components()
    result.setdefault("components", {}).setdefault("schemas", {}).update(components)
    refs = {ref(name)["$ref"] for name in components}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") in refs:
                body["required"] = True
    return result
