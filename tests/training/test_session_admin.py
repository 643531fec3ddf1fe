"""Scheduling a session and its attendance inline, through the admin."""

import pytest
from django.urls import reverse

from training import services
from training.models import Attendance, TrainingSession

from .conftest import make_participant, make_session, page_text

pytestmark = pytest.mark.django_db

ADD_URL = "admin:training_trainingsession_add"


def session_data(course, *, capacity=2, rows=(), initial=0, **extra):
    data = {
        "course": course.pk,
        "reference": "",
        "starts_at_0": "2026-06-01",
        "starts_at_1": "09:00",
        "ends_at_0": "2026-06-01",
        "ends_at_1": "16:00",
        "mode": "online",
        "venue": "",
        "province": "",
        "online_url": "https://meet.example.org/live-101",
        "trainer": "ทีม TikTok Shop Academy",
        "capacity": str(capacity),
        "notes": "",
        "attendances-TOTAL_FORMS": str(len(rows)),
        "attendances-INITIAL_FORMS": str(initial),
        "attendances-MIN_NUM_FORMS": "0",
        "attendances-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is not False:
                data[f"attendances-{i}-{key}"] = "on" if value is True else value
    data.update(extra)
    return data


def test_officer_schedules_a_session_with_registrations(officer, client_for, course, participants):
    rows = [{"participant": participants[0].pk}, {"participant": participants[1].pk}]
    response = client_for(officer).post(reverse(ADD_URL), session_data(course, rows=rows))
    assert response.status_code == 302, page_text(response)[-2000:]
    session = TrainingSession.objects.get()
    assert session.reference == "LIVE-101-20260601"
    assert session.attendances.count() == 2


def test_more_registrations_than_seats_are_refused_and_nothing_is_written(
    officer, client_for, course, participants
):
    rows = [{"participant": p.pk} for p in participants[:3]]
    response = client_for(officer).post(reverse(ADD_URL), session_data(course, rows=rows))
    assert response.status_code == 200
    assert "full" in page_text(response) or "เต็ม" in page_text(response)
    assert not TrainingSession.objects.exists()
    assert not Attendance.objects.exists()


def test_inline_completion_without_attendance_is_refused(
    officer, client_for, session, participants
):
    services.attendance_register(session=session, participant=participants[0])
    attendance = Attendance.objects.get()
    rows = [
        {"id": attendance.pk, "session": session.pk, "participant": participants[0].pk},
        {"participant": participants[1].pk, "score": "95", "completed": True},
    ]
    data = session_data(session.course, rows=rows, initial=1, mode="on_site")
    data["venue"] = session.venue
    response = client_for(officer).post(
        reverse("admin:training_trainingsession_change", args=[session.pk]), data
    )
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert list(errors[1]) == ["attended"]
    assert Attendance.objects.count() == 1


def test_inline_completion_issues_the_certificate(officer, client_for, session, participants):
    services.attendance_register(session=session, participant=participants[0])
    attendance = Attendance.objects.get()
    rows = [
        {
            "id": attendance.pk,
            "session": session.pk,
            "participant": participants[0].pk,
            "attended": True,
            "score": "75",
            "completed": True,
        }
    ]
    data = session_data(session.course, rows=rows, initial=1, mode="on_site")
    data["venue"] = session.venue
    response = client_for(officer).post(
        reverse("admin:training_trainingsession_change", args=[session.pk]), data
    )
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.completed and attendance.certificate_number


def test_capacity_cannot_drop_below_the_registrations(officer, client_for, session, participants):
    for participant in participants[:2]:
        services.attendance_register(session=session, participant=participant)
    data = session_data(session.course, capacity=1, mode="on_site")
    data.update({"venue": session.venue, "attendances-TOTAL_FORMS": "0"})
    response = client_for(officer).post(
        reverse("admin:training_trainingsession_change", args=[session.pk]), data
    )
    assert response.status_code == 200
    assert "capacity" in response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.capacity == 2


def test_an_online_session_needs_its_link(officer, client_for, course):
    response = client_for(officer).post(
        reverse(ADD_URL), session_data(course, online_url="", rows=())
    )
    assert response.status_code == 200
    assert "online_url" in response.context["adminform"].form.errors
    assert not TrainingSession.objects.exists()


def test_manager_reads_sessions_but_cannot_post(manager, client_for, session):
    client = client_for(manager)
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    assert client.get(url).status_code == 200
    data = session_data(session.course, capacity=99, mode="on_site")
    data["venue"] = session.venue
    assert client.post(url, data).status_code == 403
    assert client.post(reverse(ADD_URL), session_data(session.course)).status_code == 403
    session.refresh_from_db()
    assert session.capacity == 2


def test_date_range_filter(officer, client_for, course):
    make_session(course, days_ago=10)  # 2026-02-28
    make_session(course, days_ago=100)  # 2025-11-30
    client = client_for(officer)
    url = reverse("admin:training_trainingsession_changelist")
    response = client.get(url, {"starts_at_after": "2026-01-01", "starts_at_before": "2026-03-31"})
    assert [s.starts_at.date().isoformat() for s in response.context["cl"].result_list] == [
        "2026-02-28"
    ]
    assert client.get(url, {"starts_at_after": "not-a-date"}).status_code == 302  # ?e=1


@pytest.mark.parametrize("rows", [3, 30])
def test_list_page_query_count_does_not_grow(
    rows, officer, client_for, course, django_assert_max_num_queries
):
    participant = make_participant(1)
    for n in range(rows):
        session = make_session(course, capacity=3, days_ago=n)
        services.attendance_register(session=session, participant=participant)
    client = client_for(officer)
    url = reverse("admin:training_trainingsession_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == rows


def test_change_page_shows_seats_taken(manager, client_for, session, participants):
    services.attendance_register(session=session, participant=participants[0])
    page = page_text(
        client_for(manager).get(reverse("admin:training_trainingsession_change", args=[session.pk]))
    )
    assert "ที่นั่งที่ใช้แล้ว" in page and "1 / 2" in page
