"""Issue 18: an import's row errors are shown in the page, in Thai, under the row's number in the
spreadsheet, with the values a column allows; nothing is written."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.english_left import english_left
from tests.takedowns.conftest import holder, right  # noqa: F401

pytestmark = pytest.mark.django_db

COURSES = (
    "code,title_th,title_en,tool,description,duration_hours,pass_mark,is_active\n"
    "TT-OK-01,การขายผ่านไลฟ์,LIVE selling,live_tools,,3,70,1\n"
    "TT-BAD-02,ทดสอบ,Test,not-a-tool,,abc,70,1\n"
)


def test_row_errors_are_inline_in_thai_with_the_file_row_and_allowed_values(officer, client_for):
    from training.models import Course

    upload = SimpleUploadedFile("courses.csv", COURSES.encode(), content_type="text/csv")
    response = client_for(officer).post(
        reverse("admin:training_course_import"), {"format": "0", "import_file": upload}
    )
    page = response.content.decode()
    errors = page[page.index('id="import-row-errors"') :]
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>", errors)
    assert rows == ["3"]  # the header is row 1, the good row 2
    assert "<code>tool</code>" in errors and "<code>duration_hours</code>" in errors
    assert "เครื่องมือ LIVE (live_tools)" in errors  # each allowed value: its label and code
    assert english_left(page, data=["officer"]) == []  # the user name is data
    assert not Course.objects.exists()


def test_a_value_outside_a_fields_choices_lists_the_allowed_ones(officer, client_for, request):
    from takedowns.models import TakedownCase

    protected_right = request.getfixturevalue("right")
    blank = ("reference", "description", "reporter_phone", "reporter_basis", "item_urls")
    row = dict.fromkeys(blank + ("authorization_valid_from", "authorization_valid_until"), "")
    row |= {
        "title": "ทดสอบ",
        "rights_holder": protected_right.owner.name,
        "right_registration_number": protected_right.registration_number,
        "infringement_type": "counterfeit",
        "priority": "urgentest",
        "reporter_name": "สมชาย ใจดี",
        "reporter_email": "somchai@ipthailand.go.th",
    }
    upload = SimpleUploadedFile(
        "cases.csv",
        (",".join(row) + "\n" + ",".join(row.values()) + "\n").encode(),
        content_type="text/csv",
    )
    response = client_for(officer).post(
        reverse("admin:takedowns_takedowncase_import"), {"format": "0", "import_file": upload}
    )
    page = response.content.decode()
    assert 'id="import-row-errors"' in page, re.sub(r"<[^>]+>", " ", page)[-3000:]
    errors = page.split('id="import-row-errors"')[1]
    assert "<code>priority</code>" in errors
    assert "“urgentest” ไม่ใช่ค่าที่ใช้ได้: " in errors and "(urgent)" in errors
    assert not TakedownCase.objects.exists()


def test_an_error_about_the_whole_file_is_its_message(officer, client_for):
    upload = SimpleUploadedFile("cases.csv", "title,priority\nทดสอบ,low\n".encode(), "text/csv")
    response = client_for(officer).post(
        reverse("admin:takedowns_takedowncase_import"), {"format": "0", "import_file": upload}
    )
    errors = response.content.decode().split('id="import-errors"')[1].split("</ul>")[0]
    assert "<li>ไฟล์ไม่มีคอลัมน์ reference, rights_holder," in errors
    assert "[" not in errors  # not a Python list
