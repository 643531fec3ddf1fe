"""The dashboard's figures as an XLSX workbook (a sheet per workstream) or CSV files.

Both read ``selectors.compute_figures()`` (the same figures as the page) and the rows behind
them (``selectors.details()``); every text cell a spreadsheet could run as a formula is escaped.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.choices import WorkstreamCode
from portal.dashboard import presentation
from portal.dashboard.choices import ReportFormat
from portal.dashboard.selectors import Scope, compute_figures, details
from portal.internals import values_list_names
from portal.xlsx import Header, Number, cell_value, workbook_bytes

#: Reports with at most this many rows behind their figures are streamed at once.
STREAM_MAX_ROWS = 5000
PROGRESS_EVERY = 2000

Progress = Callable[[float], None]


#: Excel number formats of the figures' kinds: thousands separators, money with 2 decimals.
NUMBER_FORMATS = {
    "int": "#,##0",
    "money": "#,##0.00",
    "percent": "0.0",
    "hours": "#,##0.0",
    "number": "#,##0.0",
}


class Shown:
    """A figure's number with its kind: an XLSX cell gets the kind's number format."""

    def __init__(self, value, kind: str):
        self.value, self.kind = value, kind


def _cell(value):
    """A CSV cell: what the XLSX cell holds, without its number format."""
    return cell_value(value.value if isinstance(value, Shown) else value)


def _xlsx_cell(value):
    if isinstance(value, Shown):
        if value.kind in NUMBER_FORMATS:
            return Number(value.value, NUMBER_FORMATS[value.kind])
        return value.value
    return value


def section_lines(figures: dict, section: str) -> Iterable[list]:
    """The lines of one section: heading, figures and their tables (no detail rows); each figure
    with its unit and the period it counts over, as the page shows them."""
    data = figures["sections"].get(section)
    period = figures.get("period")
    yield [str(presentation.SECTION_TITLES[section])]
    computed_at = datetime.fromisoformat(figures["computed_at"]).replace(microsecond=0)
    yield [_("Computed at"), computed_at, _("Bangkok time")]  # a date-time cell, local time
    scope = figures["scope"]
    yield [
        _("Filters"),
        date.fromisoformat(scope["date_from"]) if scope["date_from"] else "…",
        date.fromisoformat(scope["date_to"]) if scope["date_to"] else "…",
        str(WorkstreamCode(scope["workstream"]).label) if scope["workstream"] else _("All"),
    ]
    yield [_("Counted over"), str(presentation.period_label(period))]
    yield []
    if section == "targets":
        yield Header(str(h) for h in presentation.TARGET_REPORT_HEADERS)
        for row, line in zip(data or [], presentation.target_lines(data), strict=True):
            kind = row.get("kind", "number")
            line[3], line[4] = Shown(line[3], kind), Shown(line[4], kind)
            line[6] = Shown(line[6], "percent")
            yield line
        return
    if data is None:
        yield [_("Not available yet.")]
        return
    yield Header([_("Figure"), _("Value"), _("Unit"), _("Counted over")])
    for tile in presentation.scalar_rows(section, data, period):
        yield [tile["label"], Shown(tile["value"], tile["kind"]), tile["unit"], tile["period"]]
    for table in presentation.tables(section, data, period):
        yield []
        yield [f"{table['title']} ({table['period']})"]
        yield Header(table["headers"])
        yield from table["rows"]


def _choice_labels(queryset) -> list[dict | None]:
    """Per column of a ``values_list`` query: its choices' labels by code, or None.

    The columns are the query's named fields, in the order ``values_list`` was given them.
    """
    model, labels = queryset.model, []
    for name in values_list_names(queryset):
        try:
            field = model._meta.get_field(name) if "__" not in name else None
        except FieldDoesNotExist:
            field = None
        labels.append(
            {code: str(label) for code, label in field.flatchoices}
            if field and field.choices
            else None
        )
    return labels


def _detail_lines(scope: Scope, section: str, tick: Callable[[], None]) -> Iterable[list]:
    """The rows behind a section's figures, choice codes shown as their labels."""
    for detail in details(section, scope):
        yield []
        yield [str(detail.title)]
        yield Header(str(h) for h in detail.headers)
        labels = _choice_labels(detail.queryset)
        for row in detail.queryset.iterator(chunk_size=PROGRESS_EVERY):
            tick()
            yield [
                names.get(value, value) if names else value
                for value, names in zip(row, labels, strict=True)
            ]


class _Ticker:
    def __init__(self, total: int, progress: Progress | None):
        self.total, self.done, self.progress = max(total, 1), 0, progress

    def __call__(self):
        self.done += 1
        if self.progress and self.done % PROGRESS_EVERY == 0:
            self.progress(min(self.done / self.total, 0.99))


def sheet_title(section: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", str(presentation.SHEET_TITLES[section]))
    return title[:31]


def _sheet_lines(scope: Scope, section: str, figures: dict, tick) -> Iterable[list]:
    for line in section_lines(figures, section):
        values = [_xlsx_cell(v) for v in line]
        yield Header(values) if isinstance(line, Header) else values
    yield from _detail_lines(scope, section, tick)


def build_xlsx(scope: Scope, *, figures: dict | None = None, progress: Progress | None = None):
    figures = figures or compute_figures(scope)
    total = sum(d.queryset.count() for s in scope.sections for d in details(s, scope))
    tick = _Ticker(total, progress)
    return workbook_bytes(
        (sheet_title(section), _sheet_lines(scope, section, figures, tick))
        for section in scope.sections
    )


def csv_lines(scope: Scope, section: str, figures: dict, tick=lambda: None) -> Iterable[list]:
    for line in section_lines(figures, section):
        yield [_cell(v) for v in line]
    for line in _detail_lines(scope, section, tick):
        yield [_cell(v) for v in line]


def write_csv(lines: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Thai text correctly with a BOM
    writer = csv.writer(buffer)
    for line in lines:
        writer.writerow(["" if v is None else v for v in line])
    return buffer.getvalue().encode("utf-8")


def build_csv_zip(scope: Scope, *, figures: dict | None = None, progress: Progress | None = None):
    figures = figures or compute_figures(scope)
    total = sum(d.queryset.count() for s in scope.sections for d in details(s, scope))
    tick = _Ticker(total, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in scope.sections:
            archive.writestr(f"{section}.csv", write_csv(csv_lines(scope, section, figures, tick)))
    return buffer.getvalue()


def report_filename(scope: Scope, extension: str, section: str | None = None) -> str:
    parts = ["mou-dashboard", section or "", scope.workstream or ""]
    parts += [d.isoformat() for d in (scope.date_from, scope.date_to) if d]
    parts.append(timezone.localtime().strftime("%Y%m%d-%H%M"))
    return "-".join(p for p in parts if p) + f".{extension}"


def build_report_file(
    *, scope: Scope, report_format: str, figures: dict, progress: Progress | None = None
) -> tuple[str, bytes]:
    """The report of ``figures`` (what the page shows: ``services.figures_get``) and its rows."""
    if report_format == ReportFormat.XLSX:
        return report_filename(scope, "xlsx"), build_xlsx(scope, figures=figures, progress=progress)
    return report_filename(scope, "zip"), build_csv_zip(scope, figures=figures, progress=progress)
