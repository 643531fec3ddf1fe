"""The liaison's decision sheet in the admin: template, validation, all-or-nothing, re-upload."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.api.bulk import COLUMNS, EXAMPLE_ROW
from portal.api.models import DecisionUpload
from portal.importing import CSV, XLSX
from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent
from tests.xlsx_checks import assert_header_row, assert_widths_fit

pytestmark = pytest.mark.django_db

ADD = reverse("admin:api_decisionupload_add")
LIST = reverse("admin:api_decisionupload_changelist")
HEADER = ",".join(COLUMNS)


def csv_file(*lines, name="decisions.csv", encoding="utf-8"):
    text = "\r\n".join([HEADER, *lines]) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="decisions.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, file):
    return client.post(ADD, {"file": file}, follow=True)


def rows_of(response):
    return {row["row"]: row for row in response.context["rows"]}


@pytest.fixture
def liaison_admin(liaison, client_for, settings):
    """The liaison works in English (the header's language switch sets this cookie)."""
    client = client_for(liaison)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_template_downloads(liaison_admin):
    csv = liaison_admin.get(reverse("admin:api_decisionupload_template", args=["csv"]))
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").strip().splitlines() == [HEADER, ",".join(EXAMPLE_ROW)]
    xlsx = liaison_admin.get(reverse("admin:api_decisionupload_template", args=["xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert [c.value for c in book.worksheets[0][1]] == list(COLUMNS)
    # issue 23: one example row
    assert [c.value or "" for c in book.worksheets[0][2]] == list(EXAMPLE_ROW)
    assert book.worksheets[0].max_row == 2
    assert "no_infringement" in str([c.value for row in book.worksheets[1] for c in row])
    for sheet in book.worksheets:  # the portal's XLSX layout (portal.xlsx)
        assert_header_row(sheet, 1)
        assert sheet.freeze_panes == "A2"
        assert_widths_fit(sheet)
    assert liaison_admin.get("/admin/api/decisionupload/template.pdf").status_code == 404


def test_good_file_is_applied_and_a_second_upload_changes_nothing(case_in, liaison, liaison_admin):
    removed = case_in(S.UNDER_PLATFORM_REVIEW)
    refused = case_in(S.UNDER_PLATFORM_REVIEW)
    split = case_in(S.UNDER_PLATFORM_REVIEW, items=2)
    first_item, second_item = split.items.order_by("id")
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S.%f")
    lines = [
        f"{removed.reference},,IPPC-1,removed,{now},,",
        f"{refused.reference},,IPPC-2,not_removed,,no_infringement,ไม่พบการละเมิด",
        f",{first_item.url},,removed,,,",
        f"{split.reference},{second_item.url},IPPC-3,not_removed,,no_infringement,ขายของแท้",
    ]
    response = upload(liaison_admin, csv_file(*lines))
    assert response.status_code == 200
    results = rows_of(response)
    # rows numbered as the file numbers them: the header is row 1
    assert [results[n]["outcome"] for n in (2, 3, 4, 5)] == ["changed"] * 4
    for case, state, ticket in (
        (removed, S.REMOVED, "IPPC-1"),
        (refused, S.NOT_REMOVED, "IPPC-2"),
        (split, S.PARTIALLY_REMOVED, "IPPC-3"),
    ):
        case.refresh_from_db()
        assert (case.state, case.ippc_ticket_id) == (state, ticket)
        assert case.events.order_by("-id").first().actor == liaison
    events = StatusEvent.objects.count()
    audit = removed.history.latest()
    assert (audit.history_user, audit.state, audit.ippc_ticket_id) == (liaison, "removed", "IPPC-1")
    assert audit.history_change_reason.startswith("Decision upload ")
    assert audit.history_change_reason.endswith("decisions.csv")
    history_rows = split.history.count()

    again = upload(liaison_admin, csv_file(*lines))
    assert [row["outcome"] for row in again.context["rows"]] == ["unchanged"] * 4
    assert StatusEvent.objects.count() == events
    assert split.history.count() == history_rows
    latest = DecisionUpload.objects.first()
    assert (latest.status, latest.changed_count, latest.unchanged_count) == ("applied", 0, 4)


def test_bad_rows_write_nothing_and_name_row_and_column(case_in, liaison_admin):
    good = case_in(S.UNDER_PLATFORM_REVIEW)
    hidden = case_in(S.READY_TO_FORWARD)  # not forwarded: the liaison may not see it
    illegal = case_in(S.REMOVED)
    no_reason = case_in(S.UNDER_PLATFORM_REVIEW)
    other = case_in(S.UNDER_PLATFORM_REVIEW)
    lines = [
        f"{good.reference},,,removed,,,",
        f"{hidden.reference},,,removed,,,",
        "TD-2026-999999,,,removed,,,",
        f"{illegal.reference},,,under_platform_review,,,",
        f"{no_reason.reference},,,not_removed,,,",
        f"{other.reference},,,bogus,yesterday,,",
        ",,,removed,,,",
        f"{good.reference},,,removed,,,",
    ]
    events = StatusEvent.objects.count()
    response = upload(liaison_admin, csv_file(*lines))
    results = rows_of(response)
    assert results[2]["outcome"] == "not_applied"  # the header is row 1
    errors = {n: [(e["column"], e["message"]) for e in r["errors"]] for n, r in results.items()}
    hidden_msg = errors[3][0][1]
    assert errors[3] == [("case_reference", hidden_msg)]
    assert errors[4] == [("case_reference", hidden_msg.replace(hidden.reference, "TD-2026-999999"))]
    assert errors[5][0][0] == "decision" and "cannot move" in errors[5][0][1]
    assert errors[6][0][0] == "decision" and "reason code" in errors[6][0][1]
    assert {column for column, _ in errors[7]} == {"decision", "decided_at"}
    assert errors[8] == [("case_reference", "Give the case reference or the item URL.")]
    assert errors[9][0][0] == "case_reference" and "repeats" in errors[9][0][1]
    assert StatusEvent.objects.count() == events
    good.refresh_from_db()
    assert good.state == S.UNDER_PLATFORM_REVIEW
    assert DecisionUpload.objects.get().status == "refused"
    page = response.content.decode()
    assert hidden.reference in page and "case_reference" in page


def test_xlsx_with_real_dates_and_thai(case_in, liaison_admin):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    file = xlsx_file(
        [[case.reference, None, "T-9", "not_removed", datetime.now(), "no_infringement", "ไทย"]]
    )
    response = upload(liaison_admin, file)
    assert response.context["rows"][0]["outcome"] == "changed", response.context["rows"]
    case.refresh_from_db()
    assert case.state == S.NOT_REMOVED and case.events.order_by("-id")[0].note == "ไทย"


@pytest.mark.parametrize("fmt", [CSV, XLSX], ids=["csv", "xlsx"])
def test_decision_sheet_formula_escape_round_trips(fmt, case_in, liaison_admin):
    """Issue 16: a sheet written by the portal's own export format (``'`` before a cell a
    spreadsheet would evaluate) uploads with the escape removed, a quote that is data kept."""
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    ticket, note = "+66 81 234 5678", "'=HYPERLINK(1) typed with its quote"
    sheet = tablib.Dataset(headers=list(COLUMNS))
    sheet.append([case.reference, "", ticket, "not_removed", "", "no_infringement", note])
    data = fmt().export_data(sheet)
    if fmt is XLSX:
        cells = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(data)).active[2]]
    else:
        data = data.encode("utf-8")
        cells = list(csv.reader(io.StringIO(data.decode())))[1]
    assert (cells[2], cells[6]) == (f"'{ticket}", f"'{note}")  # the export escaped both
    name = "exported.xlsx" if fmt is XLSX else "exported.csv"
    response = upload(liaison_admin, SimpleUploadedFile(name, data))
    assert response.context["rows"][0]["outcome"] == "changed", response.context["rows"]
    case.refresh_from_db()
    assert case.ippc_ticket_id == ticket
    assert case.events.order_by("-id")[0].note == note


def test_thai_cp874_csv_is_read_and_latin1_is_refused(case_in, liaison_admin):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    line = f"{case.reference},,,not_removed,,no_infringement,ไม่พบการละเมิด"
    response = upload(liaison_admin, csv_file(line, encoding="cp874"))
    assert response.context["rows"][0]["outcome"] == "changed"
    refused = upload(
        liaison_admin, csv_file(f"{case.reference},,,closed,,,café", encoding="latin-1")
    )
    assert "UTF-8" in str(refused.context["form"].errors["file"])


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"case_reference,decison\r\nTD-2026-000001,removed\r\n", "x.csv", "Unknown column"),
        (b"note\r\nx\r\n", "x.csv", "needs a decision column"),
        (HEADER.encode() + b"\r\n", "x.csv", "no rows"),
        (b"not a zip", "x.xlsx", "does not contain what its extension says"),
        (b"x", "x.pdf", "Allowed: csv, xlsx"),
        (b"<html><script>alert(1)</script>", "x.csv", "web page or script"),
    ],
)
def test_unreadable_files_are_refused_whole(content, name, message, liaison_admin):
    response = upload(liaison_admin, SimpleUploadedFile(name, content))
    assert message in str(response.context["form"].errors["file"])
    assert not DecisionUpload.objects.exists()


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager", "outsider"])
def test_only_the_liaison_uploads(role, role_users, client_for, case_in):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    client = client_for(role_users[role])
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"file": csv_file(f"{case.reference},,,removed,,,")}).status_code == 403
    template = reverse("admin:api_decisionupload_template", args=["csv"])
    assert client.get(template).status_code == 403
    case.refresh_from_db()
    assert case.state == S.UNDER_PLATFORM_REVIEW and not DecisionUpload.objects.exists()


def test_liaison_sees_own_uploads_dip_sees_all(
    case_in, liaison_admin, liaison, manager, client_for, django_user_model
):
    from django.contrib.auth.models import Group

    from portal.roles import LIAISON

    upload(liaison_admin, csv_file("TD-2026-999999,,,removed,,,"))
    mine = DecisionUpload.objects.get()
    other = django_user_model.objects.create_user("liaison2", is_staff=True)
    other.groups.add(Group.objects.get(name=LIAISON))
    other_client = client_for(other)
    assert other_client.get(
        reverse("admin:api_decisionupload_change", args=[mine.pk])
    ).status_code in (302, 404)
    assert mine.file_name not in other_client.get(LIST).content.decode()
    manager_client = client_for(manager)
    assert (
        manager_client.get(reverse("admin:api_decisionupload_change", args=[mine.pk])).status_code
        == 200
    )
    assert manager_client.get(ADD).status_code == 403


def test_upload_list_query_count_does_not_grow(liaison_admin, case_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert liaison_admin.get(LIST).status_code == 200
        return len(captured)

    upload(liaison_admin, csv_file("TD-2026-999999,,,removed,,,"))
    few = count()
    for _ in range(10):
        upload(liaison_admin, csv_file("TD-2026-999999,,,removed,,,"))
    assert count() == few


def test_messages_are_english_for_the_liaison_and_thai_when_it_chooses_thai(
    case_in, liaison, client_for, settings
):
    client = client_for(liaison)
    response = upload(client, csv_file("TD-2026-999999,,,removed,,,"))
    assert "Case TD-2026-999999 not found." in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    response = upload(client, csv_file("TD-2026-999999,,,removed,,,"))
    assert "ไม่พบเรื่อง TD-2026-999999" in response.content.decode()


# --- issue 23: the decision sheet as the liaison fills it -------------------------------------


def test_forwarded_to_removed_in_one_row_records_the_review_step_too(case_in, liaison_admin):
    case = case_in(S.FORWARDED, items=2)
    response = upload(liaison_admin, csv_file(f"{case.reference},,IPPC-5,removed,,,"))
    assert rows_of(response)[2]["outcome"] == "changed", response.context["rows"]
    case.refresh_from_db()
    assert (case.state, case.ippc_ticket_id) == (S.REMOVED, "IPPC-5")
    steps = [(e.from_state, e.to_state) for e in case.events.filter(item=None).order_by("id")][-2:]
    assert steps == [(S.FORWARDED, S.UNDER_PLATFORM_REVIEW), (S.UNDER_PLATFORM_REVIEW, S.REMOVED)]
    assert case.events.exclude(item=None).count() == 2


def test_two_rows_on_two_items_of_one_case_are_both_applied(case_in, liaison_admin):
    case = case_in(S.UNDER_PLATFORM_REVIEW, items=2)
    first, second = case.items.order_by("pk")
    lines = [
        f"{case.reference},{first.url},,removed,,,",
        f"{case.reference},{second.url},,already_unavailable,,,",
    ]
    response = upload(liaison_admin, csv_file(*lines))
    assert [r["outcome"] for r in response.context["rows"]] == ["changed", "changed"], (
        response.context["rows"]
    )
    case.refresh_from_db()
    assert case.state == S.PARTIALLY_REMOVED


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https://localhost/x", "http://[::1"])
def test_an_item_url_that_is_no_web_address_is_a_row_error(url, case_in, liaison_admin):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    response = upload(liaison_admin, csv_file(f"{case.reference},{url},,removed,,,"))
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["row"] == 2 and row["errors"][0]["column"] == "item_url"


@pytest.mark.parametrize("language, expected", [("en", "1 row applied"), ("th", "บันทึกแล้ว 1 แถว")])
def test_one_row_is_one_row_not_1_rows(language, expected, case_in, liaison_admin, settings):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    liaison_admin.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = upload(liaison_admin, csv_file(f"{case.reference},,,removed,,,"))
    page = response.content.decode()
    assert expected in page and "1 rows" not in page
