"""The auction endpoint is documented in the OpenAPI schema though it is not a DRF view."""

import pytest
import yaml


@pytest.mark.django_db
def test_the_schema_documents_post_auctions(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    operation = schema["paths"]["/api/v1/auctions"]["post"]
    assert set(operation["responses"]) == {"201", "400", "401", "403"}
    assert operation["security"] == [{"bearerAuth": []}]
    request = schema["components"]["schemas"]["AuctionsRequest"]
    assert "auctions" in request["properties"]
    item = schema["components"]["schemas"]["AuctionItem"]
    assert item["properties"]["slots"]["maximum"] == 40
    slot_positions = item["properties"]["slotPositions"]
    assert slot_positions["type"] == ["array", "null"] and slot_positions["maxItems"] == 40
    assert (slot_positions["items"]["minimum"], slot_positions["items"]["maximum"]) == (1, 1000)
    assert "slotPositions" not in item.get("required", []) and slot_positions["description"]
    winner = schema["components"]["schemas"]["Winner"]
    assert winner["properties"]["position"]["type"] == "integer" and winner["properties"]["position"]["description"]
    assert "get" not in schema["paths"]["/api/v1/auctions"]
