"""Registrations, completions and certificates through the attendance admin."""

import pytest
from django.urls import reverse

from training import services
from training.choices import Division
from training.models import Attendance

from .conftest import make_participant, make_session, page_text

pytestmark = pytest.mark.django_db


def add(client, session, participant, **fields):
    data = {"session": session.pk, "participant": participant.pk, "score": ""}
    data.update({k: ("on" if v is True else v) for k, v in fields.items() if v is not False})
    return client.post(reverse("admin:training_attendance_add"), data)


def test_officer_registers_a_participant(officer, client_for, session, participants):
    response = add(client_for(officer), session, participants[0])
    assert response.status_code == 302
    assert Attendance.objects.get().participant == participants[0]


def test_registration_over_capacity_is_refused(officer, client_for, session, participants):
    client = client_for(officer)
    for participant in participants[:2]:
        assert add(client, session, participant).status_code == 302
    response = add(client, session, participants[2])
    assert response.status_code == 200
    assert "session" in response.context["adminform"].form.errors
    assert Attendance.objects.count() == 2


def test_second_registration_of_the_same_person_is_refused(
    officer, client_for, session, participants
):
    client = client_for(officer)
    add(client, session, participants[0])
    response = add(client, session, participants[0])
    assert response.status_code == 200
    assert Attendance.objects.count() == 1


def test_completion_without_attendance_is_refused(officer, client_for, session, participants):
    response = add(client_for(officer), session, participants[0], score="90", completed=True)
    assert response.status_code == 200
    assert "attended" in page_text(response)
    assert not Attendance.objects.exists()


def test_completion_below_the_pass_mark_is_refused(officer, client_for, session, participants):
    response = add(
        client_for(officer), session, participants[0], attended=True, score="40", completed=True
    )
    assert response.status_code == 200
    assert "completed" in response.context["adminform"].form.errors
    assert not Attendance.objects.exists()


def test_completion_in_the_change_form_issues_a_certificate(
    officer, client_for, session, participants
):
    attendance = services.attendance_register(session=session, participant=participants[0])
    response = client_for(officer).post(
        reverse("admin:training_attendance_change", args=[attendance.pk]),
        {"attended": "on", "score": "88", "completed": "on"},
    )
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.certificate_number.startswith("DIP-TT-2026-")


def test_session_and_participant_cannot_be_switched_on_an_existing_row(
    officer, client_for, session, participants
):
    attendance = services.attendance_register(session=session, participant=participants[0])
    client_for(officer).post(
        reverse("admin:training_attendance_change", args=[attendance.pk]),
        {"participant": participants[1].pk, "attended": "on"},
    )
    attendance.refresh_from_db()
    assert attendance.participant == participants[0] and attendance.attended


def action(client, name, attendances):
    return client.post(
        reverse("admin:training_attendance_changelist"),
        {"action": name, "_selected_action": [a.pk for a in attendances]},
    )


def test_mark_completed_is_all_or_nothing(officer, client_for, session, participants):
    passed = services.attendance_register(
        session=session, participant=participants[0], attended=True, score=70
    )
    absent = services.attendance_register(session=session, participant=participants[1])
    client = client_for(officer)
    response = action(client, "mark_completed", [passed, absent])
    assert response.status_code == 302
    assert not Attendance.objects.filter(completed=True).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(participants[1].name in m for m in messages)

    action(client, "mark_completed", [passed])
    passed.refresh_from_db()
    assert passed.completed and passed.certificate_number


def test_manager_cannot_run_the_action(manager, client_for, session, participants):
    attendance = services.attendance_register(
        session=session, participant=participants[0], attended=True, score=70
    )
    action(client_for(manager), "mark_completed", [attendance])
    attendance.refresh_from_db()
    assert not attendance.completed


@pytest.fixture
def completed(session, participants):
    return services.attendance_register(
        session=session, participant=participants[0], attended=True, score=82, completed=True
    )


def test_manager_prints_a_certificate_in_thai_and_english(manager, client_for, completed):
    url = reverse("admin:training_attendance_certificate", args=[completed.pk])
    response = client_for(manager).get(url)
    assert response.status_code == 200
    page = page_text(response)
    for text in (
        completed.certificate_number,
        completed.participant.name,
        completed.session.course.title_th,
        completed.session.course.title_en,
        "ประกาศนียบัตร",
        "Certificate of Completion",
        "28 กุมภาพันธ์ พ.ศ. 2569",
        "28 February 2026",
        "training/certificate.css",
    ):
        assert text in page
    assert "onclick" not in page and "<script>" not in page


def test_the_certificate_stylesheet_prints_cleanly():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("training/certificate.css")).read_text(encoding="utf-8")
    assert "@media print" in css and "@page" in css and ".no-print" in css


def test_no_certificate_before_completion(manager, client_for, session, participants):
    attendance = services.attendance_register(session=session, participant=participants[0])
    url = reverse("admin:training_attendance_certificate", args=[attendance.pk])
    assert client_for(manager).get(url).status_code == 404


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_certificate_is_refused_outside_the_dip_roles(role, role_users, client_for, completed):
    url = reverse("admin:training_attendance_certificate", args=[completed.pk])
    assert client_for(role_users[role]).get(url).status_code == 403


def test_filters_by_division_and_completion(officer, client_for, session, completed):
    other = make_participant(9, division=Division.TRADEMARK)
    services.attendance_register(session=session, participant=other)
    client = client_for(officer)
    url = reverse("admin:training_attendance_changelist")
    by_division = client.get(url, {"participant__division__exact": Division.TRADEMARK})
    assert [a.participant for a in by_division.context["cl"].result_list] == [other]
    by_completion = client.get(url, {"completed__exact": "1"})
    assert [a.pk for a in by_completion.context["cl"].result_list] == [completed.pk]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_page_query_count_does_not_grow(
    rows, officer, client_for, course, django_assert_max_num_queries
):
    session = make_session(course, capacity=40)
    for n in range(rows):
        services.attendance_register(
            session=session,
            participant=make_participant(n),
            attended=True,
            score=90,
            completed=n % 2 == 0,
        )
    client = client_for(officer)
    url = reverse("admin:training_attendance_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == rows
