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
    assert "get" not in schema["paths"]["/api/v1/auctions"]
