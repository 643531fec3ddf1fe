"""The sweep figures the dashboard reads: per month, findings per sweep, cases by source."""

from datetime import date

import pytest

from takedowns import transitions
from takedowns.choices import CaseState
from takedowns.sweeps import (
    cases_by_source,
    finding_create_case,
    findings_per_sweep,
    sweeps_per_month,
)

from . import test_sweeps_admin as sweeps_admin
from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db
make_sweep = sweeps_admin.make_sweep
gi_product = sweeps_admin.gi_product  # fixtures
gi_right = sweeps_admin.gi_right


def url(n):
    return f"https://shop.tiktok.com/view/product/{n}"


def test_sweeps_per_month_and_findings_per_sweep(officer, gi_right, django_assert_num_queries):
    make_sweep(officer, swept_on=date(2026, 3, 2), findings=[(url(1), gi_right)], minutes_spent=30)
    make_sweep(
        officer,
        swept_on=date(2026, 3, 28),
        findings=[(url(2), gi_right), (url(3), None)],
        minutes_spent=60,
    )
    make_sweep(officer, swept_on=date(2026, 5, 1), minutes_spent=15)
    with django_assert_num_queries(2):
        months = sweeps_per_month()
    assert months == [
        {"month": date(2026, 3, 1), "sweeps": 2, "findings": 3, "minutes": 90},
        {"month": date(2026, 5, 1), "sweeps": 1, "findings": 0, "minutes": 15},
    ]
    assert findings_per_sweep() == 1.0
    assert sweeps_per_month(queryset=sweeps_admin.MonitoringSweep.objects.none()) == []
    assert findings_per_sweep(queryset=sweeps_admin.MonitoringSweep.objects.none()) is None


def test_cases_from_sweeps_vs_rights_holders_and_their_removal_rates(
    officer, role_users, right, gi_right, django_assert_num_queries
):
    sweep = make_sweep(officer, findings=[(url(n), gi_right) for n in (10, 11, 12)])
    from_sweep = [
        finding_create_case(finding=finding, actor=officer)
        for finding in sweep.findings.order_by("pk")
    ]
    for case in from_sweep:  # DIP writes the platform's English summary before forwarding
        case.summary_en = "Fake GI rice found in DIP's monitoring sweep."
        case.save(update_fields=["summary_en"])
    walk(from_sweep[0], S.REMOVED, role_users)
    walk(from_sweep[1], S.NOT_REMOVED, role_users)  # decided, not removed
    # from_sweep[2] stays a draft: not decided, not in the rate.
    holders = [make_case(right) for _ in range(4)]
    for case in holders[:3]:
        walk(case, S.REMOVED, role_users)
    walk(holders[3], S.ALREADY_UNAVAILABLE, role_users)
    transitions.case_transition(case=holders[0], to_state=S.CLOSED, actor=officer)

    with django_assert_num_queries(1):
        figures = cases_by_source()
    sweeps, others = figures["sweeps"], figures["rights_holders"]
    assert (sweeps.cases, sweeps.decided, sweeps.removed) == (3, 2, 1)
    assert sweeps.removal_rate == 0.5
    assert (others.cases, others.decided, others.removed) == (4, 4, 3)
    assert others.removal_rate == 0.75


def test_no_decided_case_has_no_rate(db):
    assert cases_by_source()["sweeps"].removal_rate is None
