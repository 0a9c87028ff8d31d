"""OpenAPI documentation of POST /api/v1/auctions.

The endpoint validates by hand (auction/parsing.py) for speed; these serializers only
describe the shapes for drf-spectacular.
"""

from rest_framework import serializers

from auction.parsing import MAX_AUCTIONS, MAX_IDS, MAX_ORGANIC_TOP_K, MAX_SLOTS, PLACEMENT_IDS


class ProductsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=MAX_IDS,
        help_text=f"1 to {MAX_IDS} distinct listing ids in the storefront's organic order. Unknown ids are ignored.")
    qualityScores = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=1), required=False,
        help_text="Relevance of each id, same length as ids, each in (0, 1]. Default 1.0.")


class AuctionItemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='Always "listings".')
    slots = serializers.IntegerField(min_value=1, max_value=MAX_SLOTS)
    products = ProductsSerializer()
    placementId = serializers.ChoiceField(choices=sorted(PLACEMENT_IDS), required=False, default="search")
    searchQuery = serializers.CharField(max_length=256, required=False)
    opaqueUserId = serializers.CharField(max_length=256, required=False)
    organicTopK = serializers.IntegerField(
        min_value=0, max_value=MAX_ORGANIC_TOP_K, required=False,
        help_text="The first K ids are visible organically and never promoted. Default: the admin setting.")


class AuctionsRequestSerializer(serializers.Serializer):
    auctions = AuctionItemSerializer(many=True, help_text=f"1 to {MAX_AUCTIONS} auctions.")


class WinnerSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 for the first sponsored slot.")
    type = serializers.CharField(help_text='Always "listing".')
    id = serializers.CharField(help_text="A listing id from the request.")
    resolvedBidId = serializers.CharField(
        help_text="Signed, expiring token: send it back with the impression and the click.")
    campaignId = serializers.CharField()


class AuctionResultSerializer(serializers.Serializer):
    resultType = serializers.CharField(help_text='Always "listings".')
    winners = WinnerSerializer(many=True)
    error = serializers.BooleanField(
        help_text="True when this auction failed open (deadline or internal fault): show organic results.")


class AuctionsResponseSerializer(serializers.Serializer):
    results = AuctionResultSerializer(many=True, help_text="One per auction, in request order.")
