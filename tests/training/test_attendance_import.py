import pytest

from training.models import Attendance, Participant

from .conftest import csv_bytes, import_file, page_text

pytestmark = pytest.mark.django_db

HEADER = [
    "session",
    "participant_email",
    "participant_name",
    "division",
    "attended",
    "score",
    "completed",
]


def test_sign_in_sheet_is_imported(officer, client_for, session, participants):
    rows = [
        HEADER,
        ["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "80", "1"],
        [
            "LIVE-101-A",
            "NEW.person@ipthailand.go.th",
            "นายใหม่ มาอบรม",
            "trademark",
            "ใช่",
            "50",
            "0",
        ],
    ]
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    print(page_text(response)[-3000:])
    assert response.status_code == 302
    assert Attendance.objects.count() == 2
    assert Participant.objects.filter(email="new.person@ipthailand.go.th").exists()
