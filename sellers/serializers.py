"""OpenAPI documentation of the catalog API.

The endpoints validate by hand (core.validation) for speed and exact field paths;
these serializers only describe the shapes for drf-spectacular.
"""

from rest_framework import serializers


class RejectedItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    index = serializers.IntegerField()
    id = serializers.CharField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


class UpsertResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = RejectedItemSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer):
    # Named like DRF's Serializer.errors on purpose (the API's own key); this serializer only
    # documents the shape in the OpenAPI schema and is never validated.
    errors = ErrorSerializer(many=True)  # type: ignore[assignment]
