"""Issue 23, item 3 "BE years in text dates": a file's date cells and text dates, with the year in
the Buddhist era (BE) or the Christian era, read to the right day through the admin's import
page (``portal.dates.parse_date``, the one reader every import widget uses); what cannot be read
for sure is refused with the row, the column and what to write, and nothing is written."""

from datetime import date, datetime

import pytest

from tests.training.conftest import (
    XLSX,
    csv_bytes,
    import_file,
    make_participant,
    page_text,
    xlsx_bytes,
)
from tests.training.test_consultations import HEADER, row
from training.models import Consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def adviser(db):
    return make_participant(1)


def _days():
    return sorted(Consultation.objects.values_list("consulted_on", flat=True))


def test_be_years_in_text_dates_of_a_csv_read_to_the_right_day(officer, client_for, adviser):
    rows = [HEADER]
    for n, written in enumerate(
        [
            "2/3/2569",
            "2569-03-03",
            "04/03/2569",
            "5 มี.ค. 2569",
            "6 มีนาคม พ.ศ. 2569",
            "7/3/2026",
            "๘/๓/๒๕๖๙",  # Thai digits
        ]
    ):
        rows.append(row(adviser, date=written, entrepreneur_name=f"ร้านที่ {n}"))
    response = import_file(client_for(officer), "consultation", csv_bytes(rows))
    assert response.status_code == 302, page_text(response)[-2000:]
    assert _days() == [date(2026, 3, day) for day in range(2, 9)]


def test_be_years_in_text_dates_and_date_cells_of_an_xlsx(officer, client_for, adviser):
    """Excel in Thai keeps "2/3/2569" typed into a cell as a date of the year 2569: BE too."""
    rows = [
        HEADER,
        row(adviser, date=datetime(2569, 3, 2), entrepreneur_name="เซลล์วันที่ พ.ศ."),
        row(adviser, date=datetime(2026, 3, 3), entrepreneur_name="เซลล์วันที่ ค.ศ."),
        row(adviser, date="4/3/2569", entrepreneur_name="ข้อความ พ.ศ."),
    ]
    response = import_file(
        client_for(officer), "consultation", xlsx_bytes(rows), name="sheet.xlsx", file_format=XLSX
    )
    assert response.status_code == 302, page_text(response)[-2000:]
    assert _days() == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]


@pytest.mark.parametrize(
    "written, advice",
    [
        ("3/30/2569", "วัน/เดือน/ปี"),  # month first
        ("2/3/69", "ปีเต็ม"),  # two-digit year: 2569 or 1969?
        ("31/2/2569", "ไม่มีวันนี้ในปฏิทิน"),
        ("เมื่อวาน", "30/11/2569 หรือ 2026-11-30"),
    ],
)
def test_be_years_in_text_dates_what_is_ambiguous_is_refused_with_row_column_and_advice(
    written, advice, officer, client_for, adviser
):
    rows = [HEADER, row(adviser, entrepreneur_name="ร้านดี"), row(adviser, date=written)]
    response = import_file(client_for(officer), "consultation", csv_bytes(rows))
    assert response.status_code == 200
    invalid = response.context["result"].invalid_rows
    assert [set(r.field_specific_errors) for r in invalid] == [{"date"}]
    shown = page_text(response)
    assert written in shown and advice in shown
    assert not Consultation.objects.exists()
