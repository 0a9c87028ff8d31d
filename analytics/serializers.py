"""OpenAPI documentation of the events API's responses (requests: analytics/contract.py)."""

from rest_framework import serializers


class RejectedEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["impressions", "clicks", "purchases", "cancellations"])
    index = serializers.IntegerField()
    id = serializers.CharField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


class EventsResponseSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Events stored by this call.")
    duplicates = serializers.IntegerField(help_text="Events whose id was already stored (nothing changed).")
    rejected = RejectedEventSerializer(many=True)
