"""The dashboard's XLSX report has the portal's layout, choice labels and Bangkok times."""

import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.dashboard import builders as b
from tests.xlsx_checks import assert_header_row, assert_widths_fit

pytestmark = pytest.mark.django_db


def test_the_dashboard_report_shows_labels_bangkok_times_and_styled_headers(manager, client_for):
    session = b.session(b.course(), b.at(date(2026, 3, 1), hour=9, minute=30))
    b.attendance(session, b.participant(), attended=True, completed=True)
    b.consultation(date(2026, 3, 2))
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("admin:dashboard_report"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Capacity building"]
    rows = list(sheet.iter_rows(values_only=True))

    header_rows = [n for n, row in enumerate(rows, 1) if row[:2] == ("Figure", "Value")]
    assert header_rows, "no figures table"
    assert_header_row(sheet, header_rows[0])
    assert sheet.freeze_panes == f"A{header_rows[0] + 1}"
    assert_widths_fit(sheet)

    sessions_header = rows.index(next(r for r in rows if r[:2] == ("Reference", "Course")))
    assert_header_row(sheet, sessions_header + 1)
    session_row = rows[sessions_header + 1]
    assert session_row[0] == session.reference
    assert session_row[2] == datetime(2026, 3, 1, 9, 30)  # Bangkok wall-clock time, not UTC
    assert sheet.cell(sessions_header + 2, 3).number_format == "yyyy-mm-dd hh:mm"
    assert session_row[3] == "On site"  # the label, not the code on_site

    consultations_header = next(n for n, r in enumerate(rows) if r[:2] == ("Date", "Topic"))
    consultation = rows[consultations_header + 1]
    assert consultation[0] == datetime(2026, 3, 2)
    assert consultation[1] == "Geographical indication"


def test_the_dashboard_report_labels_follow_the_users_language(manager, client_for):
    session = b.session(b.course(), b.at(date(2026, 3, 1)))
    b.attendance(session, b.participant(), attended=True)
    response = client_for(manager).post(reverse("admin:dashboard_report"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    values = {v for row in workbook.worksheets[-1].iter_rows(values_only=True) for v in row}
    assert "on_site" not in values
    assert "ในสถานที่" in values  # "On site" in Thai, the manager's language
