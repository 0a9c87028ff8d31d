"""OpenAPI documentation of the catalog API.

The endpoints validate by hand (closetads.validation) for speed and exact field paths;
these serializers only describe the shapes for drf-spectacular.
"""

from rest_framework import serializers

from sellers.models import Listing


class SellerItemSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64, help_text="The marketplace's seller id.")
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False)
    joinedAt = serializers.DateTimeField(required=False)
    timeZone = serializers.CharField(required=False, help_text="IANA zone; default the marketplace's.")


class SellersRequestSerializer(serializers.Serializer):
    sellers = SellerItemSerializer(many=True, help_text="1 to 1000 sellers.")


class ListingItemSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64, help_text="The marketplace's listing id.")
    sellerId = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=300)
    brand = serializers.CharField(required=False)
    category = serializers.CharField(required=False, help_text="Path, e.g. Women/Shoes/Sneakers.")
    size = serializers.CharField(required=False)
    condition = serializers.ChoiceField(choices=Listing.Condition.values)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Decimal string > 0.")
    status = serializers.ChoiceField(choices=Listing.Status.values, required=False)
    createdAt = serializers.DateTimeField(required=False)


class ListingsRequestSerializer(serializers.Serializer):
    listings = ListingItemSerializer(many=True, help_text="1 to 1000 listings.")


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
    errors = ErrorSerializer(many=True)
