"""The rules of training, through ``training.services`` (the admin and imports call the same)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from training import services
from training.models import Attendance

from .conftest import make_participant, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_registration_stops_at_capacity(session, participants):
    services.attendance_register(session=session, participant=participants[0])
    services.attendance_register(session=session, participant=participants[1])
    with pytest.raises(ValidationError, match="full"):
        services.attendance_register(session=session, participant=participants[2])
    assert Attendance.objects.filter(session=session).count() == 2


def test_a_participant_registers_once_per_session(session, participants):
    services.attendance_register(session=session, participant=participants[0])
    with pytest.raises(ValidationError, match="already registered"):
        services.attendance_register(session=session, participant=participants[0])
    assert Attendance.objects.count() == 1


def test_completion_needs_attendance(session, participants):
    with pytest.raises(ValidationError, match="attended"):
        services.attendance_register(
            session=session, participant=participants[0], score=90, completed=True
        )
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("score", [None, 59])
def test_completion_needs_the_pass_mark(session, participants, score):
    with pytest.raises(ValidationError) as error:
        services.attendance_register(
            session=session, participant=participants[0], attended=True, score=score, completed=True
        )
    assert "60" in str(error.value)
    assert not Attendance.objects.exists()


def test_completion_issues_a_certificate_number_and_withdrawing_it_clears_it(session, participants):
    attendance = services.attendance_register(
        session=session, participant=participants[0], attended=True, score=60
    )
    assert attendance.certificate_number is None
    services.attendance_complete(attendance=attendance)
    attendance.refresh_from_db()
    assert attendance.completed and attendance.completed_on == session.ends_at.date()
    assert attendance.certificate_number == (
        f"DIP-TT-2026-{session.pk:05d}-{participants[0].pk:05d}"
    )
    attendance.completed = False
    services.attendance_save(attendance=attendance)
    attendance.refresh_from_db()
    assert attendance.certificate_number is None and attendance.completed_on is None


def test_a_course_without_pass_mark_completes_on_attendance(open_course, participants):
    session = make_session(open_course, capacity=5)
    attendance = services.attendance_register(
        session=session, participant=participants[0], attended=True, completed=True
    )
    assert attendance.certificate_number.startswith("DIP-TT-")


def test_certificate_numbers_are_unique_across_sessions(course, participants):
    one, two = make_session(course, capacity=3), make_session(course, capacity=3, days_ago=40)
    numbers = {
        services.attendance_register(
            session=s, participant=p, attended=True, score=80, completed=True
        ).certificate_number
        for s in (one, two)
        for p in participants[:2]
    }
    assert len(numbers) == 4


def test_capacity_cannot_drop_below_registrations(session, participants):
    services.attendance_register(session=session, participant=participants[0])
    services.attendance_register(session=session, participant=participants[1])
    session.capacity = 1
    with pytest.raises(ValidationError, match="already registered"):
        services.session_validate_capacity(session=session)


# available_apps: the flush after this test truncates only these apps' tables (with CASCADE).
@pytest.mark.django_db(
    transaction=True,
    available_apps=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "portal",
        "gi_catalog",
        "training",
    ],
)
@pytest.mark.requires_postgres("row locks: SQLite locks the whole table, so the racers fail")
def test_two_registrations_racing_for_the_last_seat_cannot_both_succeed(course, monkeypatch):
    session = make_session(course, capacity=1)
    check = services.session_check_capacity

    def slow_check(**kwargs):
        check(**kwargs)
        time.sleep(0.5)  # widen the window between counting the seats and taking one

    monkeypatch.setattr(services, "session_check_capacity", slow_check)
    racers = [make_participant(10), make_participant(11)]
    barrier = threading.Barrier(2)
    outcomes = []

    def register(participant):
        try:
            barrier.wait(timeout=10)
            services.attendance_register(session=session, participant=participant)
            outcomes.append("registered")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "registered"]
    assert Attendance.objects.filter(session=session).count() == 1
