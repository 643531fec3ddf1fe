"""Every training page an officer or manager uses opens, with demo-sized data."""

import pytest
from django.urls import reverse

from training import services
from training.choices import ConsultationChannel, ConsultationTopic
from training.models import Consultation

pytestmark = pytest.mark.django_db

MODELS = ("course", "trainingsession", "participant", "attendance", "consultation")


@pytest.fixture
def objects(session, participants):
    attendance = services.attendance_register(
        session=session, participant=participants[0], attended=True, score=80, completed=True
    )
    consultation = Consultation.objects.create(
        entrepreneur_name="ร้านทดสอบ",
        topic=ConsultationTopic.GI,
        channel=ConsultationChannel.PHONE,
        consulted_on=session.starts_at.date(),
        adviser=participants[0],
        summary="GI",
    )
    return {
        "course": session.course,
        "trainingsession": session,
        "participant": participants[0],
        "attendance": attendance,
        "consultation": consultation,
    }


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_writers_open_every_page(role, role_users, client_for, objects):
    client = client_for(role_users[role])
    for model in MODELS:
        for view in ("changelist", "add", "import", "export"):
            url = reverse(f"admin:training_{model}_{view}")
            assert client.get(url).status_code == 200, url
        for view in ("change", "history"):
            url = reverse(f"admin:training_{model}_{view}", args=[objects[model].pk])
            assert client.get(url).status_code == 200, url
        response = client.get(reverse(f"admin:training_{model}_changelist"), {"q": "LIVE"})
        assert response.status_code == 200


def test_participant_page_shows_their_training_record(manager, client_for, objects):
    page = client_for(manager).get(
        reverse("admin:training_participant_change", args=[objects["participant"].pk])
    )
    assert objects["attendance"].certificate_number in page.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_participant_list_query_count_does_not_grow(
    rows, manager, client_for, session, django_assert_max_num_queries
):
    from .conftest import make_participant

    for n in range(rows):
        participant = make_participant(200 + n)
        if n < 2:
            services.attendance_register(
                session=session, participant=participant, attended=True, score=90, completed=True
            )
    client = client_for(manager)
    url = reverse("admin:training_participant_changelist")
    client.get(url)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == rows


def test_xlsx_export_escapes_formulas(manager, client_for, objects):
    import io

    import openpyxl

    participant = objects["participant"]
    participant.name = "=cmd|' /C calc'!A0"
    participant.save()
    response = client_for(manager).post(
        reverse("admin:training_participant_export"),
        {
            "format": "1",
            "resource": "0",
            "participantresource_name": "on",
            "participantresource_email": "on",
        },
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in names
