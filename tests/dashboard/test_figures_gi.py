from datetime import date

import pytest

from gi_catalog.choices import OnboardingStatus
from portal.choices import WorkstreamCode
from portal.dashboard.selectors import Scope, compute_figures, gi_section
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db


def test_no_data_gives_zeros_and_empty_series():
    gi = gi_section(Scope())
    assert gi["products"] == gi["sellers"] == gi["live_shops"] == gi["promotions"] == 0
    assert gi["gmv"] == 0
    assert gi["gmv_by_month"] == []
    assert dict(gi["onboarding_by_state"]) == {s.value: 0 for s in OnboardingStatus}


def test_funnel_counts_sellers_by_state_and_live_shops():
    b.product()
    b.product()
    b.application(created=b.at(date(2026, 2, 1)))
    b.application(
        OnboardingStatus.SUBMITTED,
        created=b.at(date(2026, 2, 2)),
        submitted_at=b.at(date(2026, 2, 3)),
    )
    b.application(
        OnboardingStatus.LIVE,
        created=b.at(date(2026, 3, 1)),
        submitted_at=b.at(date(2026, 3, 1)),
        live_at=b.at(date(2026, 3, 20)),
    )
    b.application(
        OnboardingStatus.REJECTED,
        created=b.at(date(2026, 3, 2)),
        submitted_at=b.at(date(2026, 3, 2)),
    )

    gi = gi_section(Scope())
    assert gi["products"] == 2
    assert gi["sellers"] == 4
    assert gi["sellers_applied"] == 3
    assert gi["live_shops"] == 1
    by_state = dict(gi["onboarding_by_state"])
    assert (
        by_state["draft"] == by_state["submitted"] == by_state["live"] == by_state["rejected"] == 1
    )
    assert by_state["shop_approved"] == 0

    march = gi_section(Scope(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)))
    assert march["sellers_applied"] == 2
    assert march["live_shops"] == 1
    assert dict(march["onboarding_by_state"])["draft"] == 0


def test_promotions_and_gmv_by_month_within_the_range():
    b.activity(date(2026, 1, 31), gmv="1000.50", views=10, orders=1)
    b.activity(date(2026, 2, 1), gmv="200.25", views=5, orders=2)
    b.activity(date(2026, 2, 28), gmv="0", views=1)
    b.activity(date(2026, 4, 1), gmv="99")

    gi = gi_section(Scope())
    assert gi["promotions"] == 4
    assert gi["gmv"] == pytest.approx(1299.75)
    assert gi["views"] == 16 and gi["orders"] == 3
    assert gi["gmv_by_month"] == [
        ["2026-01", 1, 1000.5],
        ["2026-02", 2, 200.25],
        ["2026-04", 1, 99.0],
    ]
    feb = gi_section(Scope(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)))
    assert feb["promotions"] == 2
    assert feb["gmv"] == pytest.approx(200.25)


def test_range_ends_are_bangkok_days():
    # 23:30 in Bangkok on 31 March is 16:30 UTC: it belongs to March, not April.
    b.application(
        OnboardingStatus.LIVE,
        created=b.at(date(2026, 3, 31), 23, 30),
        submitted_at=b.at(date(2026, 3, 31), 23, 30),
        live_at=b.at(date(2026, 3, 31), 23, 30),
    )
    assert (
        gi_section(Scope(date_from=date(2026, 3, 31), date_to=date(2026, 3, 31)))["live_shops"] == 1
    )
    assert gi_section(Scope(date_from=date(2026, 4, 1)))["live_shops"] == 0


def test_workstream_filter_keeps_only_its_sections():
    figures = compute_figures(Scope(workstream=WorkstreamCode.GI_PROMOTION))
    assert set(figures["sections"]) == {"targets", "gi"}
    assert set(compute_figures(Scope(platform_only=True))["sections"]) == {"takedowns"}
