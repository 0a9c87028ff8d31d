"""Seller forms for campaigns. Amounts are typed in dollars and cleaned into micros.

Business rules (bounds set by the admin, whole cents, listings of the seller) live in
``campaigns.services``; forms call the same checks so an error names its field and
nothing is written.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.services import CampaignError, weekly_budget_check
from core.money import MICROS_PER_CENT, AmbiguousMoney, MoneyError, parse_money_input

BUDGET_CHOICES = [("low", _("Low")), ("recommended", _("Recommended")), ("high", _("High")),
                  ("own", _("My own amount"))]


class MoneyField(forms.CharField):
    """A dollar amount such as 25 or 25.50 (25,50 in Spanish), cleaned into integer micros
    (whole cents); the separators are read in the active language (``parse_money_input``)."""

    default_error_messages = {
        "invalid": _("Enter an amount in dollars, such as 25 or 25.50."),
        "ambiguous": _("Is that %(amount)s with a thousands separator, or a decimal point? "
                       "Type it without a thousands separator, such as 1234 or 1234.50."),
        "negative": _("Enter an amount above $0."),
        "fraction": _("Use whole cents: at most two decimals."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = value.strip()
        if len(text) > 20:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            micros = parse_money_input(text)
        except AmbiguousMoney:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous",
                                        params={"amount": text}) from None
        except MoneyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if micros <= 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if micros % MICROS_PER_CENT:
            raise forms.ValidationError(self.error_messages["fraction"], code="fraction")
        return micros

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs


def _apply_service_check(form: forms.Form, field: str, micros: int | None) -> None:
    if micros is None:
        return
    try:
        weekly_budget_check(micros, field)
    except CampaignError as exc:
        form.add_error(field, exc.message)


class WizardBudgetForm(forms.Form):
    """The wizard's budget step: one of the recommended levels, or the seller's own amount.
    Sellers never bid: ClosetAds bids for them (manual bidding is an admin tool)."""

    budget_choice = forms.ChoiceField(choices=BUDGET_CHOICES, initial="recommended", widget=forms.RadioSelect)
    weekly_budget = MoneyField(required=False, label=_("Your weekly budget"))

    def __init__(self, *args, levels: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = levels

    def clean(self):
        data = super().clean()
        choice = data.get("budget_choice")
        if choice == "own":
            if data.get("weekly_budget") is None and "weekly_budget" not in self.errors:
                self.add_error("weekly_budget", _("Enter your weekly budget, or pick one of the suggestions."))
            data["weekly_budget_micros"] = data.get("weekly_budget")
            _apply_service_check(self, "weekly_budget", data["weekly_budget_micros"])
        elif choice in self.levels:
            data["weekly_budget_micros"] = self.levels[choice]
            _apply_service_check(self, "budget_choice", data["weekly_budget_micros"])
        return data


class BudgetChangeForm(forms.Form):
    """The campaign page's budget change."""

    weekly_budget = MoneyField(label=_("New weekly budget"))

    def clean_weekly_budget(self):
        micros = self.cleaned_data["weekly_budget"]
        try:
            weekly_budget_check(micros, "weekly_budget")
        except CampaignError as exc:
            raise forms.ValidationError(exc.message) from None
        return micros


class SelectionForm(forms.Form):
    selection = forms.ChoiceField(choices=Campaign.Selection.choices, widget=forms.RadioSelect)


class IdListField(forms.Field):
    """Listing ids posted as repeated values (checkboxes, hidden inputs)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Some chosen listings are not in your closet.")}

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class PickerForm(forms.Form):
    """One page of the listing picker: the ids shown, the ids ticked, and what to do.

    Whether the ids are the seller's listings is the service's rule
    (``campaign_listings_update``); the view shows its error on ``chosen``.
    """

    ACTIONS = [("save", _("Save this page")), ("choose_matching", _("Choose all matching")),
               ("remove_matching", _("Remove all matching"))]

    action = forms.ChoiceField(choices=ACTIONS, required=False)
    shown = IdListField(required=False)
    chosen = IdListField(required=False)
    q = forms.CharField(required=False, max_length=100)
    status = forms.CharField(required=False, max_length=20)
    chosen_filter = forms.CharField(required=False, max_length=20)

    def clean_action(self):
        return self.cleaned_data.get("action") or "save"
