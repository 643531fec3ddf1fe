"""Issue 16, import/export: an exported file imported again through the admin changes nothing.

Cases in every kind of state (drafts DIP still edits, forwarded and decided cases it no longer
may), with formula-like cells and a right without a registration number, go out through the
admin's export (CSV and XLSX) and come back through the admin's import: no error, nothing
written. A real change to a locked case is refused by row, column and reason, and nothing of the
file is written.
"""

import csv
import io
from datetime import date

import openpyxl
import pytest
import tablib

from takedowns.choices import CaseState, RightType
from takedowns.models import InfringingItem, ProtectedRight, StatusEvent, TakedownCase
from takedowns.resources import TakedownCaseResource

from .conftest import make_case, walk
from .test_import_export import admin_import, body, export

S = CaseState
pytestmark = pytest.mark.django_db

MIXED_STATES = [
    S.DRAFT,
    S.DIP_REVIEW,
    S.READY_TO_FORWARD,
    S.FORWARDED,
    S.UNDER_PLATFORM_REVIEW,
    S.INFO_REQUESTED,
    S.REMOVED,
    S.NOT_REMOVED,
    S.CLOSED,
]


@pytest.fixture
def demo_like_cases(right, role_users):
    """Cases as the demo has them: every kind of state, formula-like cells, a right with no
    registration number (blank until an official fills it in), several items each."""
    unnumbered = ProtectedRight.objects.create(
        right_type=RightType.GI,
        name="ข้าวหอมมะลิทุ่งกุลาร้องไห้",
        registration_number="",
        owner=right.owner,
        valid_from=date(2020, 1, 1),
    )
    cases = []
    for index, state in enumerate(MIXED_STATES):
        case = make_case(
            unnumbered if index % 3 == 0 else right,
            items=2,
            reporter_phone="+66 81 234 5678",
            title=f"-{index} =ข้าวปลอม" if index % 2 else f"ข้าวปลอม {index}",
            description="@ร้านค้า\n'quoted",
        )
        cases.append(walk(case, state, role_users))
    return cases


def _content(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def _snapshot():
    """Everything an import could change: the cases (with their versions), items, history, log."""
    return (
        list(TakedownCase.objects.order_by("pk").values()),
        list(InfringingItem.objects.order_by("pk").values()),
        TakedownCase.history.count(),
        InfringingItem.history.count(),
        StatusEvent.objects.count(),
    )


def problems(response) -> list:
    """The import page's whole-file and row errors, short enough for an assertion message."""
    result = (response.context or {}).get("result")
    if result is None:
        return [body(response)[-3000:]]
    found = [str(error.error) for error in result.base_errors]
    found += [(number, str(e.error)) for number, errors in result.row_errors() for e in errors]
    found += [(row.number, row.error_dict) for row in result.invalid_rows]
    return found


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_of_formula_escaped_cells_changes_nothing(
    officer, right, client_for, fmt
):
    """Issue 16, item "Export → import corrupts data": ``+66 …`` comes back as ``+66 …``."""
    case = make_case(right, reporter_phone="+66 81 234 5678", title="=1+1 ข้าวปลอม")
    client = client_for(officer)
    exported = _content(export(client, "takedowncase", TakedownCaseResource, fmt=fmt))
    if fmt == "csv":
        assert "'+66 81 234 5678" in exported.decode("utf-8-sig")  # escaped on the way out
    dry, confirmed = admin_import(client, "takedowncase", exported, name=f"cases.{fmt}", fmt=fmt)
    assert confirmed is not None, problems(dry)
    case.refresh_from_db()
    assert case.reporter_phone == "+66 81 234 5678"
    assert case.title == "=1+1 ข้าวปลอม"
    assert case.history.count() == 1  # skipped as unchanged, not saved again


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unchanged_export_of_cases_in_mixed_states_imports_with_no_change_and_no_error(
    officer, demo_like_cases, client_for, fmt
):
    """Issue 16, item "An unchanged export of cases cannot be imported again"."""
    client = client_for(officer)
    before = _snapshot()
    exported = _content(export(client, "takedowncase", TakedownCaseResource, fmt=fmt))
    dry, confirmed = admin_import(client, "takedowncase", exported, name=f"cases.{fmt}", fmt=fmt)
    assert confirmed is not None and confirmed.status_code == 302, problems(dry)
    result = dry.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == len(MIXED_STATES)
    assert result.totals["update"] == result.totals["new"] == 0
    assert _snapshot() == before


def test_a_real_change_to_a_locked_case_is_refused_with_row_column_and_reason(
    officer, demo_like_cases, client_for
):
    client = client_for(officer)
    before = _snapshot()
    exported = _content(export(client, "takedowncase", TakedownCaseResource, fmt="xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    file_headers = [cell.value for cell in sheet[1]]  # in Thai, as the officer's export names them
    headers = TakedownCaseResource().column_names_of(file_headers)
    forwarded = next(c for c in demo_like_cases if c.state == S.FORWARDED)
    draft = next(c for c in demo_like_cases if c.state == S.DRAFT)
    for row in sheet.iter_rows(min_row=2):
        reference = row[headers.index("reference")].value
        if reference == forwarded.reference:
            row[headers.index("reporter_name")].value = "someone else"
            locked_row = row[0].row
        if reference == draft.reference:
            row[headers.index("title")].value = "a change DIP may still make"
    changed = io.BytesIO()
    book.save(changed)

    dry, confirmed = admin_import(
        client, "takedowncase", changed.getvalue(), name="cases.xlsx", fmt="xlsx"
    )
    assert confirmed is None
    errors = dry.context["result"].invalid_rows
    assert [error.number for error in errors] == [locked_row]
    messages = errors[0].error_dict
    reporter_header = file_headers[headers.index("reporter_name")]
    assert list(messages) == [reporter_header]
    assert forwarded.reference in " ".join(messages[reporter_header])
    assert _snapshot() == before  # the draft's change is not written either


def _csv_rows(client):
    text = body(export(client, "takedowncase", TakedownCaseResource))
    return list(csv.DictReader(io.StringIO(text)))


def _csv_of(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_item_urls_column_adds_items_through_the_item_service(officer, right, client_for):
    """Issue 16: ``item_urls`` was listed as imported but dropped; now its new URLs are added."""
    case = make_case(right, items=1)
    client = client_for(officer)
    rows = _csv_rows(client)
    rows[0]["item_urls"] += (
        "\nhttps://www.tiktok.com/@fake.rice/video/123?utm_source=x"
        "\nhttps://shop.tiktok.com/view/product/555"
    )
    new_case = dict(rows[0], reference="", title="เรื่องใหม่", item_urls="tiktok.com/@fake.rice/live")
    dry, confirmed = admin_import(client, "takedowncase", _csv_of([rows[0], new_case]))
    assert confirmed is not None and confirmed.status_code == 302, problems(dry)
    added = {i.normalized_url: i.kind for i in case.items.all()}
    assert added == {
        case.items.order_by("pk").first().normalized_url: "listing",
        "https://tiktok.com/@fake.rice/video/123": "video",
        "https://shop.tiktok.com/view/product/555": "listing",
    }
    created = TakedownCase.objects.get(title="เรื่องใหม่")
    assert [(i.normalized_url, i.kind) for i in created.items.all()] == [
        ("https://tiktok.com/@fake.rice/live", "live")
    ]
    assert created.items.get().history.get().history_user == officer


def test_item_urls_refuses_a_duplicate_a_removal_and_a_locked_case(
    officer, role_users, right, client_for
):
    draft = make_case(right, items=1)
    other = make_case(right, items=1)
    forwarded = walk(make_case(right, items=1), S.FORWARDED, role_users)
    client = client_for(officer)
    before = _snapshot()
    rows = {row["reference"]: row for row in _csv_rows(client)}
    rows[draft.reference]["item_urls"] += "\n" + other.items.get().url  # open in another case
    rows[other.reference]["item_urls"] = "https://shop.tiktok.com/view/product/9999"  # drops one
    rows[forwarded.reference]["item_urls"] += "\nhttps://shop.tiktok.com/view/product/777"
    dry, confirmed = admin_import(client, "takedowncase", _csv_of(list(rows.values())))
    assert confirmed is None
    errors = {row.number: row.error_dict for row in dry.context["result"].invalid_rows}
    by_reference = {ref: errors.get(number + 2, {}) for number, ref in enumerate(rows)}
    assert list(by_reference[draft.reference]) == ["item_urls"]
    assert other.reference in by_reference[draft.reference]["item_urls"][0]
    assert "product/9999" not in by_reference[other.reference]["item_urls"][0]
    assert other.items.get().normalized_url in by_reference[other.reference]["item_urls"][0]
    assert list(by_reference[forwarded.reference]) == ["item_urls"]
    assert _snapshot() == before


def test_item_urls_are_added_by_a_background_import_job_too(officer, right):
    """The job path (portal.engine, the Resource's bulk_write) adds them the same way."""
    from portal.engine import FileImporter

    case = make_case(right, items=0)
    header = ["reference", "title", "rights_holder", "right_registration_number"]
    header += ["infringement_type", "reporter_name", "reporter_email", "item_urls"]
    common = [right.owner.name, right.registration_number, "counterfeit", "ก", "a@b.th"]
    dataset = tablib.Dataset(headers=header)
    dataset.append([case.reference, case.title, *common, "https://shop.tiktok.com/view/product/31"])
    dataset.append(["", "ใหม่", *common, "https://shop.tiktok.com/view/product/32"])
    outcome = FileImporter(TakedownCaseResource(), dataset, user=officer).run()
    assert outcome.ok, outcome.errors
    assert list(case.items.values_list("normalized_url", flat=True)) == [
        "https://shop.tiktok.com/view/product/31"
    ]
    created = TakedownCase.objects.get(title="ใหม่")
    assert list(created.items.values_list("normalized_url", flat=True)) == [
        "https://shop.tiktok.com/view/product/32"
    ]


def test_export_then_import_job_of_formula_escaped_cells_changes_nothing(officer, right):
    """The background job reads an exported file back the same way (its own CSV reader)."""
    from portal.engine import FileImporter, FileRows
    from portal.jobs.exports import iter_csv

    case = make_case(right, reporter_phone="+66 81 234 5678", title="@ร้าน ''=x")
    exported = io.BytesIO(b"".join(iter_csv(TakedownCaseResource(), TakedownCase.objects.all())))
    assert b"'+66 81 234 5678" in exported.getvalue()
    case.title, case.reporter_phone = "changed", "0"
    case.save()
    outcome = FileImporter(TakedownCaseResource(), FileRows(exported), user=officer).run()
    assert outcome.ok and outcome.updated == 1, outcome.errors
    case.refresh_from_db()
    assert (case.title, case.reporter_phone) == ("@ร้าน ''=x", "+66 81 234 5678")


def test_an_export_sent_back_costs_the_same_queries_for_3_or_12_cases(
    officer, role_users, right, client_for
):
    """Each case's item URLs, and whether its reference exists, are read with the chunk's rows:
    the 2,000-row export of cases sent back took three queries per row (10 s on the page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer)
    counts = []
    for total in (3, 12):
        while TakedownCase.objects.count() < total:
            case = make_case(right, items=2)
            if TakedownCase.objects.count() % 2:
                walk(case, S.FORWARDED, role_users)
        exported = _content(export(client, "takedowncase", TakedownCaseResource))
        with CaptureQueriesContext(connection) as queries:
            dry, confirmed = admin_import(client, "takedowncase", exported)
        assert confirmed is not None, problems(dry)
        assert dry.context["result"].totals["skip"] == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_preview_shows_the_item_urls_a_row_adds_to_a_case(officer, right, client_for):
    case = make_case(right, items=1)
    client = client_for(officer)
    rows = _csv_rows(client)
    rows[0]["item_urls"] += "\nhttps://shop.tiktok.com/view/product/4242"
    dry, confirmed = admin_import(client, "takedowncase", _csv_of(rows))
    assert confirmed is not None, problems(dry)
    assert "product/4242" in body(dry)
    assert case.items.count() == 2


def test_the_urls_a_case_already_has_are_not_normalised_again(
    officer, right, client_for, monkeypatch
):
    """A cell's URL the case already has is its normal form (normalising is idempotent), so an
    export sent back does not parse each of its URLs again; a new one still is."""
    from takedowns import resources

    for _ in range(3):
        make_case(right, items=2)
    client = client_for(officer)
    rows = _csv_rows(client)
    rows[0]["item_urls"] += "\nHTTPS://www.shop.tiktok.com/view/product/4343?lang=th"
    normalised = []
    normalize_url = resources.normalize_url

    def counting(url):
        normalised.append(url)
        return normalize_url(url)

    monkeypatch.setattr(resources, "normalize_url", counting)
    dry, confirmed = admin_import(client, "takedowncase", _csv_of(rows))
    assert confirmed is not None, problems(dry)
    assert normalised == ["HTTPS://www.shop.tiktok.com/view/product/4343?lang=th"] * 2
    assert TakedownCase.objects.get(reference=rows[0]["reference"]).items.count() == 3


def test_a_skipped_row_previews_as_the_library_compares_it(officer, demo_like_cases, client_for):
    """A skipped row changes no column: its preview reads its values once and shows what the
    library's diff of the stored row against the file's row shows."""
    from import_export import resources as library

    client = client_for(officer)
    exported = _content(export(client, "takedowncase", TakedownCaseResource))
    dry, _confirmed = admin_import(client, "takedowncase", exported)
    rows = dry.context["result"].valid_rows()
    assert rows and {row.import_type for row in rows} == {"skip"}
    resource = TakedownCaseResource()
    for row in rows:
        diff = library.Diff(resource, row.original, False)
        diff.compare_with(resource, row.instance)
        assert [str(cell) for cell in row.diff] == [str(cell) for cell in diff.as_html()]
