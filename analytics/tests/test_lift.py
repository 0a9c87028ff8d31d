"""What the ads added: the estimate's arithmetic, its coverage, the stored estimates and the seller's card."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from analytics.models import LiftEstimate
from analytics.services.lift import Moments, difference_estimate, lift_estimates_store, normal_difference
from analytics.tests.conftest import NOW
from auction.models import AuctionSettings

DASH = reverse("analytics:dashboard")
HOUR = dt.timedelta(hours=1)


def moments(values) -> Moments:
    m = Moments(n=len(values))
    for v in values:
        if v:
            m.add(v)
    return m


def test_the_difference_and_its_normal_interval_by_hand():
    exposed, held = moments([0, 0, 10, 30]), moments([0, 0, 0, 20])
    est = normal_difference(exposed, held, z=2.0)
    # Means 10 and 5; variances 200 and 100 (pooled 150 is above the held-out one: it is used).
    se = math.sqrt(200 / 4 + 150 / 4)
    assert est.incremental == pytest.approx(4 * 5)
    assert (est.low, est.high) == (pytest.approx(4 * (5 - 2 * se)), pytest.approx(4 * (5 + 2 * se)))
    assert est.lift == pytest.approx(1.0)
    se_log = math.sqrt(200 / (4 * 100) + 150 / (4 * 25))
    assert est.lift_low == pytest.approx(2 * math.exp(-2 * se_log) - 1)


def test_with_few_held_out_purchases_the_bootstrap_widens_the_interval_and_the_lift_has_no_upper_bound():
    exposed = moments([0] * 950 + [50] * 40 + [400] * 10)
    held = moments([0] * 97 + [50] * 2 + [400])
    normal, est = normal_difference(exposed, held), difference_estimate(exposed, held)
    assert est.incremental == normal.incremental and est.lift == normal.lift
    assert est.low <= normal.low and est.high >= normal.high and (est.low, est.high) != (normal.low, normal.high)
    assert est.lift_high is None  # some resamples of 100 held-out shoppers bought nothing: no ratio bound
    assert difference_estimate(exposed, held) == est  # seeded: the stored estimate does not move


def test_a_small_held_out_group_that_bought_nothing_does_not_look_certain():
    exposed = moments([0] * 900 + [40] * 100)
    est = difference_estimate(exposed, moments([0] * 5))
    assert est.lift is None  # no held-out sales: no ratio
    assert est.low < 0 < est.high  # the pooled variance keeps the interval honest
    assert difference_estimate(exposed, moments([0])) is None


def test_the_90_percent_interval_covers_a_known_effect_about_90_percent_of_the_time():
    rng = np.random.default_rng(7)
    covered, true_gain = 0, 0.5  # per exposed shopper: 10% buy $50 vs 9% buy $50
    for _ in range(400):
        exposed = moments(list(50.0 * (rng.random(3000) < 0.10)))
        held = moments(list(50.0 * (rng.random(400) < 0.09)))
        est = difference_estimate(exposed, held)
        covered += est.low <= 3000 * true_gain <= est.high
    assert 0.85 <= covered / 400 <= 0.95


def test_the_stored_estimates_count_each_group_from_its_first_win(market):
    counts = lift_estimates_store(NOW)
    assert counts == {"shoppers": 7, "seller": 1, "marketplace": 1, "category": 1, "net": 1}
    seller = LiftEstimate.objects.get(key=f"seller:{market['a'].pk}")
    assert (seller.exposed_shoppers, seller.held_out_shoppers) == (4, 3)
    assert (seller.exposed_sales_micros, seller.held_out_sales_micros) == (45_000_000, 30_000_000)
    assert (seller.exposed_orders, seller.held_out_orders) == (1, 1)
    # 4 x (45/4 - 30/3) = $5 added; orders 4 x (1/4 - 1/3).
    assert seller.incremental_sales_micros == 5_000_000
    assert seller.incremental_orders == pytest.approx(4 * (1 / 4 - 1 / 3))
    assert seller.lift == pytest.approx(0.125)
    assert seller.incremental_sales_low_micros < 0 < seller.incremental_sales_high_micros
    assert not seller.enough_data  # a handful of shoppers: the interval is far wider than $5
    net = LiftEstimate.objects.get(key="net")
    assert net.exposed_sales_micros == 65_000_000  # seller B's sale counts in the net effect
    dresses = LiftEstimate.objects.get(key="category:Women/Dresses")
    assert (dresses.exposed_sales_micros, dresses.exposed_shoppers) == (45_000_000, 4)
    assert not LiftEstimate.objects.filter(key="category:Women/Coats").exists()  # no sale counted there
    call_command("tick", "--only", "lift", stdout=open("/dev/null", "w"))
    assert LiftEstimate.objects.count() == 4  # replaced, not added


def _estimate(seller, *, low, high, value=5_000_000):
    return LiftEstimate.objects.create(
        key=f"seller:{seller.pk}", scope="seller", seller=seller, window_start=NOW - dt.timedelta(days=28),
        window_end=NOW, horizon_days=14, exposed_shoppers=1200, held_out_shoppers=130,
        incremental_sales_micros=value, incremental_sales_low_micros=low, incremental_sales_high_micros=high,
        incremental_orders=0.2, incremental_orders_low=0.1, incremental_orders_high=0.3, lift=0.3)


def test_the_card_shows_the_interval_or_not_enough_data_and_only_the_sellers_own(shop_client, shop, rival):
    html = shop_client.get(DASH).content.decode()
    assert 'id="lift-off"' in html  # the marketplace holds nobody out
    rules = AuctionSettings.load()
    rules.holdout_share = 0.1
    rules.save()
    _estimate(rival["seller"], low=1_000_000, high=2_000_000, value=1_500_000)
    html = shop_client.get(DASH).content.decode()
    assert 'id="lift-not-enough"' in html and "+$1.50" not in html  # the rival's estimate is theirs
    _estimate(shop["seller"], low=-4_000_000, high=14_000_000)
    html = shop_client.get(DASH).content.decode()
    assert 'id="lift-not-enough"' in html and "-$4.00 to +$14.00" in html
    LiftEstimate.objects.filter(seller=shop["seller"]).update(incremental_sales_low_micros=3_000_000,
                                                             incremental_sales_high_micros=7_000_000)
    html = shop_client.get(DASH).content.decode()
    assert 'id="lift-sales"' in html and "+$5.00" in html and "+$3.00 to +$7.00" in html
    assert "would have happened anyway" in html
