import pytest
from django.urls import reverse

from .conftest import page_text

pytestmark = pytest.mark.django_db


def test_training_admin_is_thai_by_default_and_english_on_request(officer, client_for, session):
    client = client_for(officer)
    url = reverse("admin:training_trainingsession_changelist")
    page = page_text(client.get(url))
    assert "รุ่นการอบรม" in page and "จำนวนที่นั่ง" in page
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page = page_text(client.get(url))
    assert "training sessions" in page.lower() and "capacity" in page.lower()


def test_rule_messages_are_translated(officer, client_for, session, participants):
    from training import services

    for participant in participants[:2]:
        services.attendance_register(session=session, participant=participant)
    response = client_for(officer).post(
        reverse("admin:training_attendance_add"),
        {"session": session.pk, "participant": participants[2].pk, "score": ""},
    )
    assert "เต็มแล้ว" in page_text(response)
