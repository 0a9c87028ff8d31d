"""Money typed and shown in the seller's language: separators, symbol place, refusals."""

from __future__ import annotations

import pytest
from django.utils import translation

from campaigns.forms import MoneyField
from core.money import AmbiguousMoney, MoneyError, format_money, format_money_input, parse_money_input


@pytest.mark.parametrize(("text", "micros"), [
    ("25,50", 25_500_000), ("25.50", 25_500_000), ("25,5", 25_500_000), ("25", 25_000_000),
    ("1.234,50", 1_234_500_000), ("1.234.567", 1_234_567_000_000), ("25,50 $", 25_500_000),
    ("$25,50", 25_500_000), (" 0,01 ", 10_000), ("1,234.50", 1_234_500_000),
])
def test_spanish_reads_a_decimal_comma_and_a_decimal_point(text, micros):
    assert parse_money_input(text, "es") == micros


@pytest.mark.parametrize(("text", "micros"), [
    ("25.50", 25_500_000), ("1,234.50", 1_234_500_000), ("1,234", 1_234_000_000), ("$25.50", 25_500_000),
    ("25,50", 25_500_000),  # a comma before two digits cannot group thousands
])
def test_english_reads_its_own_separators(text, micros):
    assert parse_money_input(text, "en") == micros


def test_spanish_refuses_a_point_before_three_digits_as_ambiguous():
    with pytest.raises(AmbiguousMoney):
        parse_money_input("1.234", "es")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("text", ["1e3", "1_000", "NaN", "Infinity", "5\u0660", "\uff15", "abc", "", "1,2,3",
                                  "12,345,6", "1.23.4", "25,,5", "--5", "2 5", "1.234,5.6"])
def test_garbage_is_refused_in_both_languages(language, text):
    with pytest.raises(MoneyError):
        parse_money_input(text, language)


@pytest.mark.parametrize(("language", "shown", "typed"), [
    ("en", "$1,234.50", "1234.50"), ("es", "1.234,50\u00a0$", "1234,50"),
])
def test_amounts_are_shown_and_prefilled_in_the_language(language, shown, typed):
    assert format_money(1_234_500_000, language=language) == shown
    assert format_money_input(1_234_500_000, language) == typed
    with translation.override(language):
        assert format_money(1_234_500_000) == shown
        assert parse_money_input(format_money(1_234_500_000)) == 1_234_500_000


def test_negative_amounts_keep_their_sign():
    assert format_money(-25_500_000, language="es") == "-25,50\u00a0$"
    assert format_money(-25_500_000, language="en") == "-$25.50"


@pytest.mark.parametrize(("language", "text", "micros"), [
    ("es", "25,50", 25_500_000), ("es", "25.50", 25_500_000), ("en", "25.50", 25_500_000),
])
def test_the_budget_field_follows_the_active_language(language, text, micros):
    with translation.override(language):
        assert MoneyField().clean(text) == micros


def test_the_budget_field_explains_an_ambiguous_amount_in_spanish():
    from django.core.exceptions import ValidationError

    with translation.override("es"):
        with pytest.raises(ValidationError) as refused:
            MoneyField().clean("1.234")
        assert refused.value.code == "ambiguous"
        assert "separador de miles" in refused.value.messages[0] and "1.234" in refused.value.messages[0]
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        MoneyField().clean("25,505")
    assert refused.value.code == "fraction"


def test_counts_group_thousands_like_the_amounts():
    from django.contrib.humanize.templatetags.humanize import intcomma

    from core.l10n import grouped

    with translation.override("es"):
        assert (grouped(12_345), intcomma(12_345), grouped(3.75, 2)) == ("12.345", "12.345", "3,75")
    with translation.override("en"):
        assert (grouped(12_345), intcomma(12_345), grouped(3.75, 2)) == ("12,345", "12,345", "3.75")
