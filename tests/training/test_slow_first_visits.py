"""Issue 25, item 10 "Slow first visits": a session's page and the save of its attendance inline
cost no query per row (the queries are counted through the real admin views)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from training.models import Attendance

from .conftest import make_participant, make_session
from .test_session_admin import session_data

pytestmark = pytest.mark.django_db


def session_with_attendances(course, count, *, completed=False, first=0):
    session = make_session(course, capacity=60)
    for n in range(first, first + count):
        Attendance.objects.create(
            session=session,
            participant=make_participant(n),
            attended=True,
            score=80,
            completed=completed,
            certificate_number=f"DIP-TT-TEST-{n:05d}" if completed else None,
        )
    return session


def page_queries(client, session) -> tuple[int, bytes]:
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    client.get(url)  # the first request fills the caches of a new process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content


def test_slow_first_visits_session_page_same_queries_for_5_and_40_attendances(
    officer, client_for, course
):
    client = client_for(officer)
    small = session_with_attendances(course, 5, completed=True)
    few, _ = page_queries(client, small)
    large = session_with_attendances(course, 40, completed=True, first=100)
    many, body = page_queries(client, large)
    assert few == many
    # every row's autocomplete still shows its participant, chosen
    for attendance in large.attendances.select_related("participant"):
        option = f'<option value="{attendance.participant_id}" selected>{attendance.participant}'
        assert option in body.decode()


def save_all_completed(client, session):
    rows = [
        {
            "id": attendance.pk,
            "session": session.pk,
            "participant": attendance.participant_id,
            "attended": True,
            "score": "80",
            "completed": True,
        }
        for attendance in session.attendances.order_by("pk")
    ]
    data = session_data(session.course, capacity=60, rows=rows, initial=len(rows))
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302
    assert session.attendances.filter(completed=True).count() == len(rows)
    return [query["sql"] for query in queries.captured_queries]


def test_slow_first_visits_attendance_save_locks_and_checks_the_session_once(
    officer, client_for, course
):
    client = client_for(officer)
    few = save_all_completed(client, session_with_attendances(course, 5))
    many = save_all_completed(client, session_with_attendances(course, 40, first=100))

    def session_locks(statements):
        return [s for s in statements if "FOR UPDATE" in s and "training_trainingsession" in s]

    assert len(session_locks(many)) == 1
    # per further row: its own lookups and model checks, its UPDATE and its history row only
    assert len(many) - len(few) <= 35 * 11


def test_slow_first_visits_inline_still_refuses_a_participant_registered_twice(
    officer, client_for, course
):
    session = session_with_attendances(course, 2)
    first, second = session.attendances.order_by("pk")
    rows = [
        {"id": first.pk, "session": session.pk, "participant": first.participant_id},
        {"id": second.pk, "session": session.pk, "participant": first.participant_id},
    ]
    data = session_data(course, capacity=60, rows=rows, initial=2)
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    response = client_for(officer).post(url, data)
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.participant_id != first.participant_id
