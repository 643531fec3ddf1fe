"""Every XLSX the portal writes (admin exports, dashboard reports) is laid out here, the same way.

Header rows are bold on a tinted fill, the first one stays in view (frozen panes), columns are as
wide as their text (measured on the first ``SAMPLE_ROWS`` lines, so a large export still streams),
times are Bangkok wall-clock times, and text a spreadsheet would run as a formula is escaped.
"""

from __future__ import annotations

import io
import itertools
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.formulas import escape_formula

HEADER_FONT = Font(bold=True, color="1B2A3A")
HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9E2EC")
HEADER_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
#: Lines read to fit the column widths before anything is written.
SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 8, 60
SHEET_TITLE_MAX = 31


class Header(list):
    """A line of column names: written bold on the header fill."""


class Number:
    """A number shown in an Excel number format (thousands separators, decimals)."""

    def __init__(self, value, number_format: str):
        self.value, self.number_format = value, number_format


def cell_value(value):
    """A value as an XLSX cell holds it: a Bangkok time without zone, a float for a Decimal,
    a label for a lazy translation, and text escaped against formulas."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | date | time):
        return value
    return escape_formula(str(value))


def display_width(value) -> int:
    """Columns a value takes on screen: Thai vowel and tone marks above or below take none."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = value if isinstance(value, str) else str(value)
    return max(
        (
            sum(1 for char in line if unicodedata.category(char) != "Mn")
            for line in text.split("\n")
        ),
        default=0,
    )


def _widths(lines: list[list]) -> dict[int, float]:
    widths: dict[int, int] = {}
    for line in lines:
        for index, value in enumerate(line, start=1):
            if isinstance(value, Number):
                value = f"{value.value:,.2f}" if value.value is not None else None
            widths[index] = max(widths.get(index, 0), display_width(cell_value(value)))
    return {index: min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for index, width in widths.items()}


def _cell(sheet, value, *, header: bool):
    number_format = None
    if isinstance(value, Number):
        value, number_format = value.value, value.number_format if value.value is not None else None
    value = cell_value(value)
    if not header and not number_format and not isinstance(value, datetime | date):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if header:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    return cell


def write_sheet(workbook: Workbook, title: str, lines: Iterable[list]) -> None:
    """Append a sheet of ``lines`` to a write-only ``workbook``; a ``Header`` line is styled, and
    the sheet is frozen below the first one."""
    sheet = workbook.create_sheet(title[:SHEET_TITLE_MAX])
    lines = iter(lines)
    sample = list(itertools.islice(lines, SAMPLE_ROWS))
    for index, width in _widths(sample).items():
        sheet.column_dimensions[get_column_letter(index)].width = width
    first_header = next((n for n, line in enumerate(sample) if isinstance(line, Header)), None)
    if first_header is not None:
        sheet.freeze_panes = f"A{first_header + 2}"
    for line in itertools.chain(sample, lines):
        header = isinstance(line, Header)
        sheet.append([_cell(sheet, value, header=header) for value in line])


def workbook_bytes(sheets: Iterable[tuple[str, Iterable[list]]]) -> bytes:
    """A workbook of (title, lines) sheets, written streaming (rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    for title, lines in sheets:
        write_sheet(workbook, title, lines)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_bytes(title: str, headers: Iterable, rows: Iterable[Iterable]) -> bytes:
    """One sheet: a header row, then ``rows``."""
    lines = itertools.chain([Header(headers)], (list(row) for row in rows))
    return workbook_bytes([(title or "Sheet1", lines)])
