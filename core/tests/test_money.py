from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import MoneyError, as_api_string, format_money, round_to_cent, to_micros


@pytest.mark.parametrize("value, micros", [
    ("45.00", 45_000_000), ("0.01", 10_000), (45, 45_000_000), (0.1, 100_000), (Decimal("1.234567"), 1_234_567),
])
def test_to_micros_is_exact(value, micros):
    assert to_micros(value) == micros


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "1.0000001", True, None])
def test_to_micros_refuses_what_is_not_money(value):
    with pytest.raises(MoneyError):
        to_micros(value)


def test_display_and_api_strings():
    assert format_money(1_234_500_000) == "$1,234.50"
    assert format_money(-5_000) == "-$0.01"
    assert as_api_string(45_000_000) == "45.00"


@given(st.integers(min_value=0, max_value=10**12))
def test_round_to_cent_is_whole_cents_within_half_a_cent(micros):
    rounded = round_to_cent(micros)
    assert rounded % 10_000 == 0
    assert abs(rounded - micros) <= 5_000


@given(st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False))
def test_decimal_strings_round_trip(amount):
    assert as_api_string(to_micros(str(amount))) == f"{amount:.2f}"
