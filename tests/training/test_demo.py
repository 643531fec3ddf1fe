import pytest
from django.core.management import call_command

from training.models import Attendance, Consultation, Course, Participant, TrainingSession

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count() for m in (Course, TrainingSession, Participant, Attendance, Consultation)
    ]


def test_demo_training_follows_the_rules_and_is_idempotent():
    call_command("demo_training", participants=40, consultations=30, sessions=6, verbosity=0)
    first = counts()
    call_command("demo_training", participants=40, consultations=30, sessions=6, verbosity=0)
    assert counts() == first
    assert first[0] == 5 and first[2] == 40 and first[4] == 30
    assert not Attendance.objects.filter(completed=True, attended=False).exists()
    assert not Attendance.objects.filter(completed=True, certificate_number=None).exists()
    for session in TrainingSession.objects.all():
        assert session.attendances.count() <= session.capacity
    assert {s.mode for s in TrainingSession.objects.all()} == {"on_site", "online"}
