"""Takedown figures against cases moved through the real state machine (takedowns.transitions)."""

from datetime import date, timedelta

import pytest

from portal.choices import TargetMetric
from portal.dashboard import aggregates
from portal.dashboard.selectors import Scope, takedowns_section, targets_section
from portal.models import PublicHoliday
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw")


@pytest.fixture
def cases(admin):
    """Four decided cases in September 2026 (no public holiday that month) and a draft.

    A: removed 10 h after forwarding (Mon).
    B: an info request paused the clock 48 h; removed 74 h after forwarding, 26 h of platform time.
    C: removed 119 h after forwarding on a Wednesday (3 working days = Monday 10:00, it was 09:00),
       then appealed and reinstated.
    D: refused 1 h after its 3-working-day deadline (Thursday 10:00 -> Tuesday 10:00).
    E: a draft, never forwarded.
    """
    PublicHoliday.objects.filter(date__range=(date(2026, 8, 25), date(2026, 10, 15))).delete()
    at = b.at
    a = b.case(at(date(2026, 8, 31)), "shop_x")
    b.forward(a, admin, at(date(2026, 9, 7), 10))
    b.move(a, admin, ("under_platform_review", at(date(2026, 9, 7), 11)))
    b.move(a, admin, ("removed", at(date(2026, 9, 7), 20)))

    case_b = b.case(at(date(2026, 8, 31)), "shop_x")
    b.forward(case_b, admin, at(date(2026, 9, 8), 10))
    b.move(
        case_b,
        admin,
        ("under_platform_review", at(date(2026, 9, 8), 10, 30)),
        ("info_requested", at(date(2026, 9, 8), 12)),
        ("under_platform_review", at(date(2026, 9, 10), 12)),
        ("removed", at(date(2026, 9, 11), 12)),
    )

    c = b.case(at(date(2026, 8, 31)), "@Shop_X")
    b.forward(c, admin, at(date(2026, 9, 9), 10))
    b.move(
        c,
        admin,
        ("under_platform_review", at(date(2026, 9, 9), 11)),
        ("removed", at(date(2026, 9, 14), 9)),
        ("appealed", at(date(2026, 9, 16), 9)),
        ("reinstated", at(date(2026, 9, 18), 9)),
    )

    d = b.case(at(date(2026, 8, 31)), "other")
    b.forward(d, admin, at(date(2026, 9, 10), 10))
    b.move(
        d,
        admin,
        ("under_platform_review", at(date(2026, 9, 10), 11)),
        ("not_removed", at(date(2026, 9, 15), 11)),
    )
    b.case(at(date(2026, 9, 1)), "other")
    b.counted()
    return a, case_b, c, d


def test_no_cases():
    b.counted()
    t = takedowns_section(Scope())
    assert t["cases"] == t["forwarded"] == t["decided"] == 0
    assert t["median_hours"] is None and t["p90_hours"] is None
    assert t["within_24h_pct"] is None and t["removal_rate"] is None
    assert t["reinstatement_rate"] is None
    assert t["repeat_infringers"] == []


def test_every_takedown_figure(cases):
    t = takedowns_section(Scope())
    assert t["cases"] == 5
    assert dict(t["by_state"]) | {} == {
        **{state: 0 for state, _n in t["by_state"]},
        "removed": 2,
        "reinstated": 1,
        "not_removed": 1,
        "draft": 1,
    }
    assert t["forwarded"] == 4
    assert t["decided"] == 4
    assert t["removed"] == 3
    # Time to takedown excludes the info-request pause: 10 h, 26 h, 119 h.
    assert t["median_hours"] == 26.0
    assert t["p90_hours"] == pytest.approx(100.4)
    assert t["within_24h_pct"] == 25.0  # A only (B took 26 h of platform time)
    assert t["within_3wd_pct"] == 75.0  # A, B (pause excluded), C; not D
    assert t["removal_rate"] == 75.0
    assert t["reinstatement_rate"] == pytest.approx(33.3)
    # The takedowns app's rule: a handle in 3 or more cases of the whole MOU.
    assert t["repeat_infringers"] == [["shop_x", 3]]


def test_the_pause_is_what_makes_b_late_or_on_time(cases):
    _a, case_b, _c, _d = cases
    assert case_b.paused_seconds == 48 * 3600
    assert case_b.takedown_seconds == 26 * 3600


def test_liaison_scope_leaves_out_cases_not_forwarded(cases):
    t = takedowns_section(Scope(platform_only=True))
    assert t["cases"] == 4
    assert dict(t["by_state"])["draft"] == 0
    assert t["repeat_infringers"] == [["shop_x", 3]]


def test_date_range_counts_decisions_and_removals_in_it(cases):
    first_week = takedowns_section(Scope(date_from=date(2026, 9, 7), date_to=date(2026, 9, 13)))
    assert first_week["cases"] == 0  # all created before
    assert first_week["forwarded"] == 4
    assert first_week["decided"] == 2  # A and B
    assert first_week["median_hours"] == 18.0  # 10 h and 26 h
    assert first_week["reinstatement_rate"] == 0.0
    later = takedowns_section(Scope(date_from=date(2026, 9, 14)))
    assert later["decided"] == 2 and later["removal_rate"] == 50.0
    assert later["reinstatement_rate"] == 100.0


def test_a_public_holiday_extends_the_three_working_days(cases, admin):
    # D was forwarded on Thursday 10 September; with Friday a holiday its deadline is Wednesday.
    PublicHoliday.objects.create(date=date(2026, 9, 11), name="วันหยุดทดสอบ")
    b.counted()
    assert takedowns_section(Scope())["within_3wd_pct"] == 100.0


def test_the_sqlite_percentile_fallback_gives_the_same_answer(cases, monkeypatch):
    expected = takedowns_section(Scope())

    class FakeConnection:
        vendor = "sqlite"

    monkeypatch.setattr(aggregates, "connection", FakeConnection())
    fallback = takedowns_section(Scope())
    assert fallback["median_hours"] == expected["median_hours"]
    assert fallback["p90_hours"] == expected["p90_hours"]


def test_takedown_targets(cases):
    b.target(TargetMetric.CASES_FORWARDED, 8, name="forwarded")
    b.target(TargetMetric.REMOVAL_RATE, 90, name="removal")
    b.target(TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS, 80, name="3wd")
    b.target(TargetMetric.REMOVAL_RATE, 90, start=date(2026, 9, 14), name="removal later")
    rows = {row["name"]: row for row in targets_section(Scope())}
    assert rows["forwarded"]["actual"] == 4 and rows["forwarded"]["percent"] == 50.0
    assert rows["removal"]["actual"] == 75.0
    assert rows["removal"]["percent"] == pytest.approx(83.3)
    assert rows["3wd"]["actual"] == 75.0
    assert rows["removal later"]["actual"] == 50.0


def test_takedown_figures_cost_a_fixed_number_of_queries(admin, django_assert_max_num_queries):
    for n in range(5):
        case = b.case(b.at(date(2026, 9, 1)), f"h{n % 2}")
        b.forward(case, admin, b.at(date(2026, 9, 2), 10 + n))
    b.counted()
    with django_assert_max_num_queries(10) as captured:
        takedowns_section(Scope())
    few = len(captured)
    for n in range(20):
        case = b.case(b.at(date(2026, 9, 1)), f"h{n % 3}")
        b.forward(case, admin, b.at(date(2026, 9, 3), 8 + n % 10))
    b.counted()
    with django_assert_max_num_queries(few):
        takedowns_section(Scope())


def test_repeat_infringers_are_the_takedowns_apps_for_dip_and_the_liaisons_own_cases(cases, admin):
    # DIP: the counts the takedowns app keeps (its admin flags the same handles).
    assert takedowns_section(Scope())["repeat_infringers"] == [["shop_x", 3]]
    # A date filter does not change who is a repeat infringer (whole MOU, now).
    narrow = Scope(date_from=date(2026, 9, 14), date_to=date(2026, 9, 14))
    assert takedowns_section(narrow)["repeat_infringers"] == [["shop_x", 3]]
    # The liaison: only the cases the liaison sees; a DIP draft of the same seller is not counted.
    b.case(b.at(date(2026, 9, 2)), "other")
    b.counted()
    assert takedowns_section(Scope(platform_only=True))["repeat_infringers"] == [["shop_x", 3]]
    assert takedowns_section(Scope())["repeat_infringers"] == [["other", 3], ["shop_x", 3]]
