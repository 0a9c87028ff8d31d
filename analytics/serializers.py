"""OpenAPI documentation of the events API (the endpoint validates by hand, analytics.parsing)."""

from rest_framework import serializers

from analytics.models import PLACEMENTS


class EntitySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["listing"])
    id = serializers.CharField(help_text="The marketplace's listing id.")


class PlacementSerializer(serializers.Serializer):
    placementId = serializers.ChoiceField(choices=sorted(PLACEMENTS), required=False)
    position = serializers.IntegerField(min_value=1, required=False, help_text="1-based position on the page.")


class AdEventSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="Idempotency key, unique per kind.")
    occurredAt = serializers.DateTimeField(help_text="RFC 3339 with a zone; at most 5 minutes in the future.")
    opaqueUserId = serializers.CharField(max_length=256, required=False)
    resolvedBidId = serializers.CharField(required=False, help_text="Sponsored: the auction winner's token.")
    entity = EntitySerializer(required=False, help_text="Organic: the listing shown or clicked.")
    placement = PlacementSerializer(required=False, help_text="Organic: where it was on the page.")


class PurchaseItemSerializer(serializers.Serializer):
    listingId = serializers.CharField()
    unitPrice = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Decimal string or number > 0.")
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)


class PurchaseSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="The order id (idempotency key).")
    occurredAt = serializers.DateTimeField()
    opaqueUserId = serializers.CharField(max_length=256, required=False)
    items = PurchaseItemSerializer(many=True, help_text="1 to 100 items.")


class CancellationSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100)
    purchaseId = serializers.CharField(help_text="The cancelled order's id.")
    occurredAt = serializers.DateTimeField()


class EventsRequestSerializer(serializers.Serializer):
    impressions = AdEventSerializer(many=True, required=False, help_text="At most 500.")
    clicks = AdEventSerializer(many=True, required=False, help_text="At most 500.")
    purchases = PurchaseSerializer(many=True, required=False, help_text="At most 500.")
    cancellations = CancellationSerializer(many=True, required=False, help_text="At most 500.")


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
