""""Why isn't my listing showing?": the auction's reason codes in a seller's words, with what to do.

Plain data over ``auction.selectors.listing_auction_stats``: the reasons a listing lost,
largest first, each with its share of the auctions it was a candidate in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from auction import ranking

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# reason code -> (what happened, what the seller can do)
EXPLANATIONS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    ranking.SOLD: (gettext_lazy("The item was already sold."),
                   gettext_lazy("Nothing to do: sold items stop being promoted at once.")),
    ranking.NOT_IN_CAMPAIGN: (gettext_lazy("The listing is not in your Promoted Closet campaign."),
                              gettext_lazy("Add it on your campaign page, or promote your whole closet.")),
    ranking.CAMPAIGN_PAUSED: (gettext_lazy("Your campaign was paused."),
                              gettext_lazy("Resume the campaign on your campaign page.")),
    ranking.BUDGET_EXHAUSTED: (gettext_lazy("Your weekly budget had run out."),
                               gettext_lazy("Raise your weekly budget; promotion restarts on Monday otherwise.")),
    ranking.BELOW_RESERVE: (gettext_lazy("The bid we could place for it was below the marketplace's minimum cost "
                                         "per click."),
                            gettext_lazy("A lower-priced item earns a lower bid; a higher budget lifts automatic "
                                         "bids.")),
    ranking.ORGANIC_TOP_K: (gettext_lazy("It was already among the first results buyers saw for free."),
                            gettext_lazy("Good news: you do not pay for a click it would have got anyway.")),
    ranking.BELOW_RELEVANCE_FLOOR: (gettext_lazy("It did not match what the buyer was looking for closely enough."),
                                    gettext_lazy("Clear titles, brand, size and category help it match more "
                                                 "searches.")),
    ranking.PACED_OUT: (gettext_lazy("We held it back to spread your budget evenly through the week."),
                        gettext_lazy("Nothing is wrong; a higher weekly budget lets it show more often.")),
    ranking.OUTRANKED: (gettext_lazy("Other promoted listings were a better fit for those buyers."),
                        gettext_lazy("Good photos, a fair price and a higher budget all help it rank higher.")),
    ranking.SELLER_CAP: (gettext_lazy("Another of your own listings took your place on that page."),
                         gettext_lazy("Nothing to do: only one of your listings shows per page, and another one "
                                      "did.")),
    ranking.NOT_INCREMENTAL: (gettext_lazy("Shown there, it would have taken more sales from the results it pushes "
                                           "down than it would add."),
                              gettext_lazy("It wins where it is a better fit for the shopper than what it pushes "
                                           "down; a sharper price or better photos help.")),
    ranking.HELD_OUT: (gettext_lazy("The buyer was in the small group that sees no ads, so we can measure what ads "
                                    "add."),
                       gettext_lazy("Nothing to do: this is how we check that promotion really sells more.")),
}


@dataclass(frozen=True)
class ReasonLine:
    code: str
    count: int
    share: float  # of the auctions it was a candidate in
    what: StrOrPromise
    advice: StrOrPromise


@dataclass(frozen=True)
class Diagnosis:
    candidate: int
    eligible: int
    won: int
    reasons: list[ReasonLine]
    headline: str

    @property
    def win_share(self) -> float:
        return self.won / self.candidate if self.candidate else 0.0


def diagnose(stats: dict[str, Any], *, limit: int = 4) -> Diagnosis:
    """The main reasons (most frequent first, at most ``limit``) from ``listing_auction_stats`` output."""
    candidate = stats["candidate"]
    counted = sorted(((n, code) for code, n in stats["reasons"].items() if n > 0 and code in EXPLANATIONS),
                     key=lambda item: (-item[0], item[1]))
    lines = [ReasonLine(code=code, count=n, share=n / candidate if candidate else 0.0,
                        what=str(EXPLANATIONS[code][0]), advice=str(EXPLANATIONS[code][1]))
             for n, code in counted[:limit]]
    if candidate == 0:
        headline = _("It was not a candidate in any auction: buyers' searches and pages did not bring it up "
                     "(or it is not promoted).")
    elif stats["won"] == candidate:
        headline = _("It won every auction it was a candidate in.")
    elif lines:
        reason = lines[0].what[0].lower() + lines[0].what[1:]
        headline = _("Main reason it did not show: %(reason)s") % {"reason": reason}
    else:
        headline = _("It showed in some auctions.")
    return Diagnosis(candidate=candidate, eligible=stats["eligible"], won=stats["won"], reasons=lines,
                     headline=headline)
