import pytest
from django.core.management import call_command

from takedowns.choices import CaseState, RightType
from takedowns.models import ProtectedRight, StatusEvent, TakedownCase

pytestmark = pytest.mark.django_db


def test_demo_takedowns_is_idempotent_and_walks_cases_through_the_service(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo_takedowns", cases=40, verbosity=0)
    assert TakedownCase.objects.count() == 40
    states = set(TakedownCase.objects.values_list("state", flat=True))
    assert len(states) >= 8
    assert CaseState.REMOVED in states or CaseState.CLOSED in states
    # Every case has its creation event and every state change is logged.
    for case in TakedownCase.objects.all():
        assert case.events.filter(item=None).last().to_state == case.state
    removed = TakedownCase.objects.filter(takedown_seconds__isnull=False)
    assert all(c.removed_at > c.forwarded_at for c in removed)
    events = StatusEvent.objects.count()
    call_command("demo_takedowns", cases=40, verbosity=0)
    assert TakedownCase.objects.count() == 40 and StatusEvent.objects.count() == events


def test_demo_gi_rights_belong_to_the_community_of_that_gi(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_gi_register", verbosity=0)
    call_command("demo_takedowns", cases=5, verbosity=0)
    gi_rights = ProtectedRight.objects.filter(right_type=RightType.GI)
    assert gi_rights.count() == 6
    for right in gi_rights:
        assert right.gi_product is not None
        assert right.gi_product.name_th in right.owner.name, (right.owner.name, right.gi_product)
