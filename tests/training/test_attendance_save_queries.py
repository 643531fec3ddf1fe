"""Issue 25: saving a session's attendance costs the same number of queries for 5 rows as for
36, through the admin's session page, and writes what a row-by-row save wrote."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.measure import _session_form_data
from training import services
from training.models import Attendance

from .conftest import make_participant, make_session

pytestmark = pytest.mark.django_db


def registered_session(course, rows: int, first: int):
    session = make_session(course, capacity=40, reference=f"S-{first}")
    for n in range(first, first + rows):
        services.attendance_register(
            session=session,
            participant=make_participant(n),
            attended=True,
            score=70,
            completed=n % 2 == 0,
        )
    return session, list(session.attendances.order_by("pk"))


def save_every_row(client, session, attendances, score):
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    response = client.post(url, _session_form_data(session, attendances, score))
    assert response.status_code == 302, response.context and response.context["errors"]


def test_attendance_save_queries_do_not_grow_with_the_rows(officer, client_for, course):
    client = client_for(officer)
    small, small_rows = registered_session(course, 5, 1)
    large, large_rows = registered_session(course, 36, 100)
    save_every_row(client, small, small_rows, 80)  # warm-up: content types, permissions
    with CaptureQueriesContext(connection) as five:
        save_every_row(client, small, small_rows, 90)
    assert len(five) <= 30
    with CaptureQueriesContext(connection) as thirty_six:
        save_every_row(client, large, large_rows, 90)
    assert len(thirty_six) <= len(five), [q["sql"][:120] for q in thirty_six.captured_queries]


def test_attendance_save_writes_rows_history_and_certificates(
    officer, client_for, course, django_assert_max_num_queries
):
    session, rows = registered_session(course, 36, 1)
    history_before = Attendance.history.filter(session_id=session.pk).count()
    rows[0].completed = False  # the page un-ticks one completion and ticks another
    rows[1].completed = True
    client = client_for(officer)
    client.get(reverse("admin:training_trainingsession_change", args=[session.pk]))  # warm-up
    with django_assert_max_num_queries(30):
        save_every_row(client, session, rows, 95)
    saved = {a.pk: a for a in session.attendances.all()}
    assert {a.score for a in saved.values()} == {95}
    assert saved[rows[0].pk].certificate_number is None and saved[rows[0].pk].completed_on is None
    assert saved[rows[1].pk].certificate_number == services.certificate_number(
        attendance=saved[rows[1].pk]
    )
    history = Attendance.history.filter(session_id=session.pk)
    assert history.count() == history_before + 36
    latest = history.filter(id=rows[1].pk).latest("history_date")
    assert latest.history_type == "~" and latest.history_user == officer
    assert latest.score == 95 and latest.certificate_number == saved[rows[1].pk].certificate_number


def test_attendance_save_still_refuses_a_score_below_the_pass_mark(officer, client_for, course):
    session, rows = registered_session(course, 5, 1)
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    data = _session_form_data(session, rows, 95)
    data["attendances-0-completed"] = "on"
    data["attendances-0-score"] = "10"  # course LIVE-101 passes at 60
    response = client_for(officer).post(url, data)
    assert response.status_code == 200
    assert "completed" in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert set(session.attendances.values_list("score", flat=True)) == {70}
