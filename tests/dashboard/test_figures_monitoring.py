from datetime import date

import pytest

from portal.dashboard.selectors import Scope, compute_figures, monitoring_section
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw")


def sweep(officer, day, minutes, *finding_cases):
    from takedowns.models import MonitoringSweep, SweepFinding

    new = MonitoringSweep.objects.create(
        officer=officer, swept_on=day, searched_live=True, minutes_spent=minutes
    )
    for n, case in enumerate(finding_cases):
        SweepFinding.objects.create(
            sweep=new,
            url=f"https://shop.tiktok.com/view/product/sw{new.pk}-{n}",
            normalized_url=f"shop.tiktok.com/view/product/sw{new.pk}-{n}",
            observed="สินค้าปลอม",
            case=case,
        )
    return new


def test_no_sweeps():
    m = monitoring_section(Scope())
    assert m["sweeps"] == m["findings"] == 0
    assert m["findings_per_sweep"] is None
    assert m["removal_rate_sweeps"] is None and m["removal_rate_rights_holders"] is None
    assert m["sweeps_by_month"] == []


def test_sweeps_findings_and_cases_by_source(admin):
    at = b.at
    swept_removed = b.case(at(date(2026, 9, 1)), "a")
    b.forward(swept_removed, admin, at(date(2026, 9, 2), 10))
    b.move(
        swept_removed,
        admin,
        ("under_platform_review", at(date(2026, 9, 2), 11)),
        ("removed", at(date(2026, 9, 2), 12)),
    )
    swept_draft = b.case(at(date(2026, 9, 1)), "b")
    reported = b.case(at(date(2026, 9, 1)), "c")
    b.forward(reported, admin, at(date(2026, 9, 2), 10))
    b.move(
        reported,
        admin,
        ("under_platform_review", at(date(2026, 9, 2), 11)),
        ("not_removed", at(date(2026, 9, 2), 12)),
    )
    sweep(admin, date(2026, 8, 20), 90, swept_removed, swept_draft, None)
    sweep(admin, date(2026, 9, 3), 30, None)
    sweep(admin, date(2026, 9, 4), 60)
    b.counted()

    m = monitoring_section(Scope())
    assert m["sweeps"] == 3 and m["findings"] == 4
    assert m["findings_per_sweep"] == pytest.approx(1.3)
    assert m["hours_spent"] == 3.0
    assert m["sweeps_by_month"] == [["2026-08", 1, 3], ["2026-09", 2, 1]]
    assert m["cases_from_sweeps"] == 2 and m["cases_from_rights_holders"] == 1
    assert m["removal_rate_sweeps"] == 100.0
    assert m["removal_rate_rights_holders"] == 0.0

    september = monitoring_section(Scope(date_from=date(2026, 9, 1)))
    assert september["sweeps"] == 2 and september["findings_per_sweep"] == 0.5


def test_monitoring_belongs_to_ip_protection_and_not_to_the_liaison():
    assert "monitoring" in compute_figures(Scope(workstream="ip_protection"))["sections"]
    assert "monitoring" not in compute_figures(Scope(platform_only=True))["sections"]
