"""Findings import and export (CSV/XLSX) through the admin: all-or-nothing, row and column, escaping."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from takedowns.models import MonitoringSweep, SweepFinding
from takedowns.resources import MonitoringSweepResource, SweepFindingResource

from . import test_sweeps_admin as sweeps_admin
from .test_import_export import FORMAT_INDEX, body, export

pytestmark = pytest.mark.django_db
make_sweep = sweeps_admin.make_sweep
gi_product = sweeps_admin.gi_product  # fixtures
gi_right = sweeps_admin.gi_right
HEADER = "sweep,kind,url,seller_handle,observed,right_registration_number\r\n"


def admin_import(client, content, name="findings.csv", fmt="csv"):
    response = client.post(
        reverse("admin:takedowns_sweepfinding_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": FORMAT_INDEX[fmt]},
    )
    confirm_form = response.context.get("confirm_form") if response.context else None
    if confirm_form is None:
        return response, None
    confirmed = client.post(
        reverse("admin:takedowns_sweepfinding_process_import"), confirm_form.initial
    )
    return response, confirmed


def test_findings_import_then_reimport_updates_never_duplicates(officer, gi_right, client_for):
    sweep = make_sweep(officer)
    client = client_for(officer)
    number = gi_right.registration_number
    csv = (
        HEADER
        + f"{sweep.reference},listing,HTTP://WWW.shop.tiktok.com/view/product/11?utm_source=a,@Copy1,ข้าวปลอม,{number}\r\n"
        + f"{sweep.pk},live,tiktok.com/@copy2/live,copy2,ไลฟ์ใช้โลโก้ GI,\r\n"
    ).encode("utf-8-sig")
    dry, confirmed = admin_import(client, csv)
    assert confirmed is not None and confirmed.status_code == 302, body(dry)
    rows = list(
        SweepFinding.objects.order_by("normalized_url").values_list(
            "sweep_id", "normalized_url", "seller_handle", "right_id"
        )
    )
    assert rows == [
        (sweep.pk, "https://shop.tiktok.com/view/product/11", "copy1", gi_right.pk),
        (sweep.pk, "https://tiktok.com/@copy2/live", "copy2", None),
    ]
    # The audit history names the file.
    assert "findings.csv" in (SweepFinding.history.first().history_change_reason or "")

    exported = body(export(client, "sweepfinding", SweepFindingResource))
    dry, confirmed = admin_import(client, exported.replace("ข้าวปลอม", "ข้าวขาวติดป้าย GI").encode())
    assert confirmed is not None and confirmed.status_code == 302, body(dry)
    assert SweepFinding.objects.count() == 2
    assert SweepFinding.objects.filter(observed="ข้าวขาวติดป้าย GI").count() == 1


def test_findings_import_from_xlsx(officer, client_for):
    sweep = make_sweep(officer)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["sweep", "kind", "url", "seller_handle", "observed"])
    sheet.append([sweep.reference, "video", "https://www.tiktok.com/@x/video/1", "@X", "คลิปโฆษณา"])
    buffer = io.BytesIO()
    book.save(buffer)
    dry, confirmed = admin_import(client_for(officer), buffer.getvalue(), "f.xlsx", "xlsx")
    assert confirmed is not None and confirmed.status_code == 302, body(dry)
    assert SweepFinding.objects.get().normalized_url == "https://tiktok.com/@x/video/1"


def test_a_bad_file_writes_nothing_and_names_row_and_column(officer, client_for):
    sweep = make_sweep(officer)
    client = client_for(officer)
    csv = (
        HEADER
        + f"{sweep.reference},listing,https://shop.tiktok.com/view/product/1,a,ok,\r\n"
        + f"{sweep.reference},listing,not a url,b,bad url,\r\n"
        + "SW-999999,listing,https://shop.tiktok.com/view/product/3,c,unknown sweep,\r\n"
        + f"{sweep.reference},listing,https://shop.tiktok.com/view/product/4,d,unknown right,ZZ-0\r\n"
        + f"{sweep.reference},nonsense,https://shop.tiktok.com/view/product/5,e,bad kind,\r\n"
        + f"{sweep.reference},listing,https://www.shop.tiktok.com/view/product/1/,f,repeat,\r\n"
    ).encode()
    dry, confirmed = admin_import(client, csv)
    assert confirmed is None
    text = body(dry)
    assert "not a url" in text and "SW-999999" in text and "ZZ-0" in text
    for column in ("url", "sweep", "right_registration_number", "kind"):
        assert column in text
    result = dry.context["result"]
    errors = {row.number: set(row.error_dict) for row in result.invalid_rows}
    assert errors == {
        3: {"url"},
        4: {"sweep"},
        5: {"right_registration_number"},
        6: {"kind"},
        7: {"sweep"},  # repeats the (sweep, url) of row 2
    }, errors
    assert SweepFinding.objects.count() == 0


def test_a_file_without_a_required_column_is_refused(officer, client_for):
    make_sweep(officer)
    dry, confirmed = admin_import(client_for(officer), b"sweep,url\r\nSW-1,https://a.th/x\r\n")
    assert confirmed is None
    assert "observed" in body(dry)
    assert SweepFinding.objects.count() == 0


def test_a_finding_that_became_a_case_cannot_be_changed_by_import(officer, gi_right, client_for):
    sweep = make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/8", gi_right)])
    client = client_for(officer)
    client.post(
        reverse("admin:takedowns_sweepfinding_changelist"),
        {"action": "create_cases", "_selected_action": [str(sweep.findings.get().pk)]},
    )
    reference = sweep.findings.get().case.reference
    csv = (
        HEADER + f"{sweep.reference},listing,https://shop.tiktok.com/view/product/8,x,changed,\r\n"
    )
    dry, confirmed = admin_import(client, csv.encode())
    assert confirmed is None
    assert reference in body(dry)
    assert sweep.findings.get().observed != "changed"


def test_exports_escape_formulas_in_csv_and_xlsx(officer, manager, client_for):
    sweep = make_sweep(officer, keywords='=HYPERLINK("http://evil")', note="+1")
    SweepFinding.objects.create(
        sweep=sweep,
        url="https://shop.tiktok.com/view/product/66",
        observed="=1+2",
        seller_handle="",
    )
    client = client_for(manager)  # managers download what they read
    csv = body(export(client, "sweepfinding", SweepFindingResource))
    assert "'=1+2" in csv
    response = export(client, "sweepfinding", SweepFindingResource, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=1+2" in values and "=1+2" not in values

    sweeps_csv = body(export(client, "monitoringsweep", MonitoringSweepResource))
    assert "'=HYPERLINK" in sweeps_csv and sweep.reference in sweeps_csv
    assert MonitoringSweep.objects.count() == 1


def test_manager_and_liaison_cannot_import(manager, liaison, officer, client_for):
    sweep = make_sweep(officer)
    csv = (HEADER + f"{sweep.reference},listing,https://a.th/p/1,a,seen,\r\n").encode()
    for user in (manager, liaison):
        client = client_for(user)
        assert client.get(reverse("admin:takedowns_sweepfinding_import")).status_code == 403
        response = client.post(
            reverse("admin:takedowns_sweepfinding_import"),
            {"import_file": SimpleUploadedFile("f.csv", csv), "format": "0"},
        )
        assert response.status_code == 403
    assert SweepFinding.objects.count() == 0


@pytest.mark.parametrize("count", [3, 20])
def test_a_sweep_s_findings_are_found_with_one_query_per_chunk(officer, client_for, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sweep = make_sweep(officer)
    client = client_for(officer)
    csv = HEADER + "".join(
        f"{sweep.reference},listing,https://shop.tiktok.com/view/product/{n},,ข้าว {n},\r\n"
        for n in range(count)
    )
    dry, confirmed = admin_import(client, csv.encode())
    assert confirmed is not None and confirmed.status_code == 302, body(dry)
    with CaptureQueriesContext(connection) as queries:
        dry, confirmed = admin_import(client, csv.encode())  # again: every row unchanged
    assert dry.context["result"].totals["skip"] == count
    lookups = [
        q["sql"]
        for q in queries
        if 'FROM "takedowns_sweepfinding"' in q["sql"] and '"normalized_url"' in q["sql"]
    ]
    assert len(lookups) == 2, lookups  # the preview's, the confirmation's


def test_findings_sent_back_cost_the_same_queries_for_3_or_12(officer, gi_right, client_for):
    """The sweeps and rights the columns show come with the findings (one query a chunk): an
    export of 2,000 findings sent back read both for each row, four times (11 s to preview)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer)
    counts = []
    for start, stop in ((0, 3), (3, 12)):
        for i in range(start, stop):
            url = f"https://shop.tiktok.com/view/product/{9100 + i}"
            make_sweep(officer, findings=[(url, gi_right)])
        exported = body(export(client, "sweepfinding", SweepFindingResource)).encode()
        with CaptureQueriesContext(connection) as queries:
            dry, confirmed = admin_import(client, exported)
        assert confirmed is not None, body(dry)[-2000:]
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
