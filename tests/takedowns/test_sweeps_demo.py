import pytest
from django.core.management import call_command

from takedowns.models import MonitoringSweep, SweepFinding, TakedownCase

pytestmark = pytest.mark.django_db


def test_demo_sweeps_is_idempotent_and_makes_cases_through_the_service(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo_takedowns", cases=10, verbosity=0)
    cases_before = TakedownCase.objects.count()
    call_command("demo_sweeps", verbosity=0)
    assert MonitoringSweep.objects.count() == 40
    months = {s.swept_on.replace(day=1) for s in MonitoringSweep.objects.all()}
    assert len(months) >= 11
    findings = SweepFinding.objects.count()
    from_sweeps = TakedownCase.objects.filter(sweep_finding__isnull=False)
    assert findings > 40 and from_sweeps.count() >= 5
    assert TakedownCase.objects.count() == cases_before + from_sweeps.count()
    for case in from_sweeps:
        assert case.items.get().normalized_url == case.sweep_finding.normalized_url
        assert case.events.filter(item=None).last().to_state == case.state
        assert case.created_at.date() > case.sweep_finding.sweep.swept_on
    assert len(set(from_sweeps.values_list("state", flat=True))) >= 3

    call_command("demo_sweeps", verbosity=0)
    assert MonitoringSweep.objects.count() == 40 and SweepFinding.objects.count() == findings
