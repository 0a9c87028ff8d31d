import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auction.tokens import ResolvedBid, TokenError, sign, verify

T0 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


def bid(**overrides) -> ResolvedBid:
    values = dict(auction_id="a1b2c3", campaign_id=42, listing_id=7, price_micros=350_000, slot=2,
                  issued_at=T0, expires_at=T0 + dt.timedelta(hours=1), placement="search")
    values.update(overrides)
    return ResolvedBid(**values)


def test_a_signed_bid_verifies_to_itself():
    assert verify(sign(bid()), T0 + dt.timedelta(minutes=5)) == bid()


def test_an_expired_token_is_detected():
    with pytest.raises(TokenError) as err:
        verify(sign(bid()), T0 + dt.timedelta(hours=1))
    assert err.value.reason == "expired"


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: t.replace("v1.", "v2.", 1),
    lambda t: "v1." + t.split(".")[1][::-1] + "." + t.split(".")[2],
    lambda t: t + ".extra",
    lambda t: "garbage",
    lambda t: "",
])
def test_a_tampered_token_is_detected(mangle):
    with pytest.raises(TokenError) as err:
        verify(mangle(sign(bid())), T0)
    assert err.value.reason == "bad_signature"


def test_changing_the_price_breaks_the_signature():
    import base64

    token = sign(bid())
    _, payload, mac = token.split(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    cheaper = raw.replace("|350000|", "|10000|")
    forged = "v1." + base64.urlsafe_b64encode(cheaper.encode()).rstrip(b"=").decode() + "." + mac
    with pytest.raises(TokenError):
        verify(forged, T0)


def test_a_token_signed_with_another_secret_is_refused(settings):
    token = sign(bid())
    settings.SECRET_KEY = "another-secret-" + "x" * 40
    with pytest.raises(TokenError):
        verify(token, T0)


@given(st.integers(1, 10**9), st.integers(1, 10**9), st.integers(10_000, 10**9), st.integers(1, 40))
def test_round_trip_for_any_ids_and_prices(campaign_id, listing_id, price, slot):
    original = bid(campaign_id=campaign_id, listing_id=listing_id, price_micros=price, slot=slot)
    assert verify(sign(original), T0) == original


def _decoded(decode, text):
    try:
        return decode(text)
    except ValueError as error:  # binascii.Error and UnicodeEncodeError are ValueErrors
        return type(error)


@given(st.text(st.sampled_from("abzAZ09-_+/=.!é \n"), max_size=30))
def test_token_parts_decode_as_the_standard_library_decodes_them(text):
    """verify() decodes a token's parts without base64's Python wrappers: the same bytes, and
    the same refusals (a stray character is skipped, a non-ASCII one is a ValueError)."""
    import base64

    from auction import tokens

    standard = _decoded(lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)), text)
    fast = _decoded(tokens._unb64, text)
    assert fast == standard or (isinstance(standard, type) and isinstance(fast, type))


def test_the_keyed_mac_is_the_one_shot_mac(settings):
    import hmac

    from auction import tokens

    for secret in ("one-secret-" + "x" * 40, "another-secret-" + "y" * 40):
        settings.SECRET_KEY = secret
        for body in ("v1.", "v1.YWJj", "v1." + "Q" * 200):
            one_shot = hmac.digest(tokens._key(secret), body.encode(), "sha256")[:tokens._MAC_BYTES]
            assert tokens._mac(body) == one_shot


def test_a_verified_bid_is_an_ordinary_frozen_resolved_bid():
    verified = verify(sign(bid()), T0)
    assert type(verified) is ResolvedBid and verified == bid() and hash(verified) == hash(bid())
    with pytest.raises(AttributeError):
        verified.price_micros = 1
