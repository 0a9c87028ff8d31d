"""OpenAPI documentation of POST /api/v1/auctions.

The endpoint validates by hand (auction/parsing.py) for speed; these serializers only
describe the shapes for drf-spectacular.
"""

from rest_framework import serializers


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
