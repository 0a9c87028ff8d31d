"""OpenAPI documentation of POST /api/v1/auctions.

The endpoint validates by hand (auction/parsing.py) for speed; these serializers only
describe the shapes for drf-spectacular.
"""

from rest_framework import serializers

from auction.parsing import MAX_AUCTIONS, MAX_IDS, MAX_ORGANIC_TOP_K, MAX_SLOT_POSITION, MAX_SLOTS, PLACEMENT_IDS


class ProductsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.CharField(min_length=1, max_length=64), min_length=1, max_length=MAX_IDS,
        help_text=f"1 to {MAX_IDS} distinct listing ids in the storefront's organic order. Unknown ids are ignored.")
    qualityScores = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=1), required=False,
        help_text="Relevance of each id, same length as ids, each in (0, 1]. Default 1.0.")


class AuctionItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["listings"], help_text='Always "listings".')
    slots = serializers.IntegerField(min_value=1, max_value=MAX_SLOTS)
    products = ProductsSerializer()
    placementId = serializers.ChoiceField(choices=sorted(PLACEMENT_IDS), required=False, default="search")
    searchQuery = serializers.CharField(max_length=256, required=False)
    opaqueUserId = serializers.CharField(max_length=256, required=False)
    organicTopK = serializers.IntegerField(
        min_value=0, max_value=MAX_ORGANIC_TOP_K, required=False,
        help_text="The first K ids are visible organically and never promoted. Default: the admin setting.")
    slotPositions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_SLOT_POSITION), required=False,
        min_length=1, max_length=MAX_SLOTS,
        help_text=(
            f"The page positions (1-based, sponsored and organic items counted together) where the storefront "
            f"will put winners of rank 1, 2, ...: exactly `slots` distinct ascending whole numbers from 1 to "
            f"{MAX_SLOT_POSITION}. The incrementality gate needs them to know which organic results an ad pushes "
            f"down. Default: the placement's admin setting (1, 5, 9, 13 unless changed)."))


class AuctionsRequestSerializer(serializers.Serializer):
    auctions = AuctionItemSerializer(many=True, help_text=f"1 to {MAX_AUCTIONS} auctions.")


class WinnerSerializer(serializers.Serializer):
    rank = serializers.IntegerField(
        help_text="The sponsored slot: 1 for the first. A slot no ad passed the incrementality gate for is left "
                  "out, so ranks may skip (1, 3).")
    position = serializers.IntegerField(
        help_text="The page position to show it at (1-based, sponsored and organic items counted together): "
                  "slotPositions[rank - 1], from the request or else the placement's admin default.")
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
    heldOut = serializers.BooleanField(
        required=False,
        help_text="Present (true) when the shopper is held out to measure what the ads add: no winners; "
                  "show organic results and report events as usual.")


class AuctionsResponseSerializer(serializers.Serializer):
    results = AuctionResultSerializer(many=True, help_text="One per auction, in request order.")
