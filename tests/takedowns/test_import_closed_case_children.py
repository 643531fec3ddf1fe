"""Issue 23: an unchanged export of a closed case's items, or of sweep findings that became cases,
imports back as "skipped" (no error, no history row), whatever the state of the case; a changed
cell of such a row is still refused, with its row, its column and a message naming the case.

Everything goes through the admin's own export and import (preview, then confirm) as a DIP
Officer would use them.
"""

import csv
import io

import openpyxl
import pytest

from takedowns import sweeps
from takedowns.choices import CaseState
from takedowns.models import InfringingItem, SweepFinding, TakedownCase
from takedowns.resources import InfringingItemResource, SweepFindingResource

from . import test_sweeps_admin as sweeps_admin
from .conftest import make_case, walk
from .test_import_export import admin_import, export
from .test_import_round_trip import _content, problems

S = CaseState
pytestmark = pytest.mark.django_db
gi_product = sweeps_admin.gi_product  # fixtures
gi_right = sweeps_admin.gi_right


def _history_rows() -> tuple:
    return (
        InfringingItem.history.count(),
        SweepFinding.history.count(),
        TakedownCase.history.count(),
    )


def _items() -> list:
    return list(InfringingItem.objects.order_by("pk").values())


@pytest.fixture
def closed_and_open_cases(right, role_users):
    """A closed case and a decided one (items no longer open), and a draft DIP still edits."""
    closed = walk(make_case(right, items=2, title="ปิดแล้ว"), S.CLOSED, role_users)
    removed = walk(make_case(right, items=1), S.REMOVED, role_users)
    draft = make_case(right, items=1)
    assert not closed.items.filter(is_open=True).exists()
    return closed, removed, draft


def _changed_file(exported: bytes, fmt: str, resource, match, column: str, value):
    """The exported file with ``column`` set to ``value`` in the first row ``match`` accepts;
    returns the file, the changed row's number and the column's header in the file."""
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(exported))
        sheet = book.active
        headers = [cell.value for cell in sheet[1]]
        names = resource.column_names_of(headers)
        for row in sheet.iter_rows(min_row=2):
            values = dict(zip(names, [cell.value for cell in row], strict=True))
            if match(values):
                row[names.index(column)].value = value
                number = row[0].row
                break
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), number, headers[names.index(column)]
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    for index, row in enumerate(rows):
        if match(row):
            row[column] = value
            number = index + 2
            break
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig"), number, column


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unchanged_items_of_closed_cases_are_skipped(
    officer, closed_and_open_cases, client_for, fmt
):
    client = client_for(officer)
    items, history = _items(), _history_rows()
    exported = _content(export(client, "infringingitem", InfringingItemResource, fmt=fmt))
    dry, confirmed = admin_import(client, "infringingitem", exported, name=f"items.{fmt}", fmt=fmt)
    assert confirmed is not None and confirmed.status_code == 302, problems(dry)
    result = dry.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 4
    assert result.totals["new"] == result.totals["update"] == 0
    assert _items() == items
    assert _history_rows() == history


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_changed_item_of_a_closed_case_is_refused_with_row_and_column(
    officer, closed_and_open_cases, client_for, fmt
):
    closed, _removed, _draft = closed_and_open_cases
    client = client_for(officer)
    items, history = _items(), _history_rows()
    exported = _content(export(client, "infringingitem", InfringingItemResource, fmt=fmt))
    changed, number, header = _changed_file(
        exported,
        fmt,
        InfringingItemResource(),
        lambda row: row["case_reference"] == closed.reference,
        "title",
        "ชื่อใหม่",
    )
    dry, confirmed = admin_import(client, "infringingitem", changed, name=f"items.{fmt}", fmt=fmt)
    assert confirmed is None
    errors = {row.number: row.error_dict for row in dry.context["result"].invalid_rows}
    assert list(errors) == [number], problems(dry)
    assert list(errors[number]) == [header]
    message = " ".join(errors[number][header])
    assert closed.reference in message and str(S.CLOSED.label) in message
    assert _items() == items
    assert _history_rows() == history


def test_a_changed_item_of_a_draft_is_still_written(officer, closed_and_open_cases, client_for):
    _closed, _removed, draft = closed_and_open_cases
    client = client_for(officer)
    exported = _content(export(client, "infringingitem", InfringingItemResource))
    changed, _number, _header = _changed_file(
        exported,
        "csv",
        InfringingItemResource(),
        lambda row: row["case_reference"] == draft.reference,
        "title",
        "ชื่อใหม่",
    )
    dry, confirmed = admin_import(client, "infringingitem", changed)
    assert confirmed is not None and confirmed.status_code == 302, problems(dry)
    assert draft.items.get().title == "ชื่อใหม่"
    assert dry.context["result"].totals["skip"] == 3


@pytest.fixture
def findings_of_a_closed_case(officer, gi_right, role_users):
    """A sweep whose first finding became a case, now closed, and whose second is still open."""
    sweep = sweeps_admin.make_sweep(
        officer,
        findings=[
            ("https://shop.tiktok.com/view/product/81?utm_source=x", gi_right),
            ("https://shop.tiktok.com/view/product/82", gi_right),
        ],
    )
    first = sweep.findings.order_by("pk").first()
    case = sweeps.finding_create_case(finding=first, actor=officer)
    TakedownCase.objects.filter(pk=case.pk).update(summary_en="Counterfeit GI rice.")
    case.refresh_from_db()
    walk(case, S.CLOSED, role_users)
    return sweep, case


def _findings() -> list:
    return list(SweepFinding.objects.order_by("pk").values())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unchanged_findings_of_a_closed_case_are_skipped(
    officer, findings_of_a_closed_case, client_for, fmt
):
    client = client_for(officer)
    findings, history = _findings(), _history_rows()
    exported = _content(export(client, "sweepfinding", SweepFindingResource, fmt=fmt))
    dry, confirmed = admin_import(client, "sweepfinding", exported, name=f"f.{fmt}", fmt=fmt)
    assert confirmed is not None and confirmed.status_code == 302, problems(dry)
    result = dry.context["result"]
    assert result.totals["skip"] == 2
    assert result.totals["new"] == result.totals["update"] == 0
    assert _findings() == findings
    assert _history_rows() == history


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_changed_finding_of_a_case_is_refused_with_row_and_column(
    officer, findings_of_a_closed_case, client_for, fmt
):
    _sweep, case = findings_of_a_closed_case
    client = client_for(officer)
    findings, history = _findings(), _history_rows()
    exported = _content(export(client, "sweepfinding", SweepFindingResource, fmt=fmt))
    changed, number, header = _changed_file(
        exported,
        fmt,
        SweepFindingResource(),
        lambda row: row["case_reference"] == case.reference,
        "observed",
        "เห็นอย่างอื่น",
    )
    dry, confirmed = admin_import(client, "sweepfinding", changed, name=f"f.{fmt}", fmt=fmt)
    assert confirmed is None
    errors = {row.number: row.error_dict for row in dry.context["result"].invalid_rows}
    assert list(errors) == [number], problems(dry)
    assert list(errors[number]) == [header]
    assert case.reference in " ".join(errors[number][header])
    assert _findings() == findings
    assert _history_rows() == history
