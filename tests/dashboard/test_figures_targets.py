from datetime import date

import pytest

from gi_catalog.choices import OnboardingStatus
from portal.choices import TargetMetric, WorkstreamCode
from portal.dashboard.selectors import Scope, targets_section
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db


def by_name(rows):
    return {row["name"]: row for row in rows}


def test_no_targets():
    assert targets_section(Scope()) == []


def test_every_metric_maps_to_its_actual_value_within_the_target_period():
    b.target(TargetMetric.GI_PRODUCTS_LISTED, 10, name="products")
    b.target(TargetMetric.SELLERS_ONBOARDED, 4, name="shops")
    b.target(TargetMetric.PROMOTION_ACTIVITIES, 8, name="activities")
    b.target(TargetMetric.PROMOTION_GMV, 1000, name="gmv")
    b.target(TargetMetric.TRAINING_SESSIONS, 2, name="sessions")
    b.target(TargetMetric.PEOPLE_TRAINED, 5, name="people")
    b.target(TargetMetric.CONSULTATIONS, 3, name="consultations")
    # The same metric with a later period counts only what happened in it.
    b.target(TargetMetric.PROMOTION_ACTIVITIES, 2, start=date(2026, 6, 1), name="activities H2")

    thai = [b.product() for _ in range(3)]
    b.product()  # in the catalogue, never promoted
    foreign = b.product(origin="foreign:FR", name_en="Champagne")
    b.application(
        OnboardingStatus.LIVE, created=b.at(date(2026, 2, 1)), live_at=b.at(date(2026, 2, 2))
    )
    b.application(
        OnboardingStatus.LIVE, created=b.at(date(2025, 2, 1)), live_at=b.at(date(2025, 12, 31))
    )  # before the period
    b.activity(date(2026, 3, 1), gmv="250").products.add(*thai[:2], foreign)
    b.activity(date(2026, 7, 1), gmv="250.50").products.add(thai[2], thai[0])
    course = b.course()
    session = b.session(course, b.at(date(2026, 4, 1)))
    b.attendance(session, b.participant(), attended=True, completed=True)
    b.attendance(session, b.participant(), attended=True)
    b.consultation(date(2026, 5, 1))

    rows = by_name(targets_section(Scope()))
    # Thai GI products promoted (each once), not the catalogue nor the foreign GIs
    assert rows["products"]["actual"] == 3 and rows["products"]["percent"] == 30.0
    assert rows["shops"]["actual"] == 1 and rows["shops"]["percent"] == 25.0
    assert rows["activities"]["actual"] == 2
    assert rows["activities H2"]["actual"] == 1 and rows["activities H2"]["percent"] == 50.0
    assert rows["gmv"]["actual"] == 500.5 and rows["gmv"]["percent"] == 50.0
    assert rows["sessions"]["actual"] == 1
    assert rows["people"]["actual"] == 1 and rows["people"]["percent"] == 20.0
    assert rows["consultations"]["actual"] == 1
    assert rows["gmv"]["workstream"] == WorkstreamCode.GI_PROMOTION

    # The dashboard's dates narrow every target's period.
    first_quarter = by_name(
        targets_section(Scope(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)))
    )
    assert first_quarter["activities"]["actual"] == 1
    assert first_quarter["gmv"]["actual"] == 250.0
    assert first_quarter["activities H2"]["actual"] == 0
    assert first_quarter["sessions"]["actual"] == 0

    only_training = targets_section(Scope(workstream=WorkstreamCode.CAPACITY_BUILDING))
    assert {row["name"] for row in only_training} == {"sessions", "people", "consultations"}


def test_targets_cost_one_query_per_metric_not_per_target(django_assert_max_num_queries):
    for n in range(6):
        b.target(TargetMetric.PROMOTION_ACTIVITIES, 10 + n, name=f"a{n}")
        b.target(TargetMetric.CONSULTATIONS, 10 + n, name=f"c{n}")
    with django_assert_max_num_queries(3):
        rows = targets_section(Scope())
    assert len(rows) == 12


def test_stale_dashboard_a_one_month_filter_pro_rates_a_two_year_target():
    """Issue 25 item 2: 37 cases in one month against a two-year target of 240 read 15.4 %, not
    37 / 240; a rate is the same over any period; each row says how it is counted."""
    from django.utils import translation

    from portal.dashboard.presentation import target_rows

    two_years = {"start": date(2026, 1, 1), "due": date(2027, 12, 31)}  # 730 days
    b.target(TargetMetric.PROMOTION_ACTIVITIES, 730, name="activities", **two_years)
    b.target(TargetMetric.REMOVAL_RATE, 90, name="removal", **two_years)
    for day in range(1, 32, 3):
        b.activity(date(2026, 3, day))
    march = Scope(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    rows = by_name(targets_section(march))
    activities = rows["activities"]
    assert (activities["target"], activities["target_whole"]) == (31, 730)
    assert activities["prorated"] and activities["counted_days"] == 31
    assert activities["actual"] == 11 and activities["percent"] == 35.5
    assert rows["removal"]["target"] == 90 and not rows["removal"]["prorated"]
    with translation.override("en"):
        shown = {row["name"]: row for row in target_rows(list(rows.values()))}
    assert "31 of its 730 days" in shown["activities"]["counting"]
    assert shown["activities"]["target_text"] == "31 x"
    assert "rate" in shown["removal"]["counting"]
    whole = by_name(targets_section(Scope()))["activities"]
    assert whole["target"] == 730 and isinstance(whole["target"], int)
    assert not whole["prorated"]


def test_thousands_of_targets_with_their_own_periods_are_counted_in_bounded_queries(
    django_assert_max_num_queries,
):
    """A query names at most a few hundred periods: 1,700 targets of one metric, each over its
    own period, were one aggregate of 1,700 columns (PostgreSQL allows 1,664)."""
    from datetime import timedelta

    from portal.models import Target

    b.target(TargetMetric.PROMOTION_ACTIVITIES, 1, name="first")
    first = Target.objects.get(name="first")
    Target.objects.bulk_create(
        [
            Target(
                workstream=first.workstream,
                name=f"t{n}",
                metric=first.metric,
                target_value=1,
                unit=first.unit,
                period_start=date(2026, 1, 1) + timedelta(days=n % 100),
                due_date=date(2027, 1, 1) + timedelta(days=n),
            )
            for n in range(1700)
        ]
    )
    b.activity(date(2026, 6, 1))
    with django_assert_max_num_queries(12):
        rows = targets_section(Scope())
    assert len(rows) == 1701
    assert {row["actual"] for row in rows} == {1}  # each period holds the one activity
