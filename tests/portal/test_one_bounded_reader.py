"""Issue 23, "One bounded reader": the files that slipped past the last round's XLSX checks.

Each is a few KB on the wire. Before, a check scanned the parts it guessed were sheets and
openpyxl then read what the workbook's relationships named, every child of a row as a cell; now
the reader's checks are its parser. Each file is refused with the row, cell or limit named,
through the admin's import page and the liaison's decision sheet, with the memory of the request
bounded (tracemalloc: memory, not time).
"""

import functools
import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.api.bulk import SheetError, read_sheet
from portal.api.models import DecisionUpload
from portal.importing import XLSX
from portal.jobs.choices import JobState
from portal.jobs.services import import_job_create, import_job_run
from portal.models import Target
from portal.reading import UnreadableFileError, read_table
from tests.jobs.conftest import TARGET_HEADERS as JOB_HEADERS
from tests.jobs.resources import TargetImportResource

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024
PEAK_LIMIT = 100 * MB
TARGET_HEADERS = ("name", "value")
DECISION_HEADERS = ("case_reference", "decision")


def workbook(sheet_xml: bytes, *, sheet_path=SHEET, shared_strings: bytes | None = None):
    """A real workbook (written by openpyxl) whose first sheet is ``sheet_xml``, kept at
    ``sheet_path`` (its relationships and content types say so), with ``shared_strings``."""
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    target = "/" + sheet_path
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == SHEET:
                continue
            if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"/xl/worksheets/sheet1.xml", target.encode())
                data = data.replace(b'"worksheets/sheet1.xml"', f'"{target}"'.encode())
            if info.filename == "xl/_rels/workbook.xml.rels" and shared_strings is not None:
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                    b"</Relationships>",
                )
            archive.writestr(info.filename, data)
        archive.writestr(sheet_path, sheet_xml)
        if shared_strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                stream.write(shared_strings)
    return out.getvalue()


def header_row(headers) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(headers)
    )
    return f'<row r="1">{cells}</row>'


def sheet(headers, rows_xml: str, dimension: str = "") -> bytes:
    dimension = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f"<worksheet {NS}>{dimension}<sheetData>{header_row(headers)}{rows_xml}"
        f"</sheetData></worksheet>"
    ).encode()


@functools.cache
def non_cell_child_far_down(headers):
    """The 1.6 KB file: a row far down holding an element that is not a cell, at column XFD."""
    return workbook(sheet(headers, '<row r="3000"><x r="XFD3000"><v>1</v></x></row>'))


@functools.cache
def sheet_elsewhere(headers, path):
    """A sheet kept under another part name than Excel's, claiming every row and column."""
    rows = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(sheet(headers, rows, "A1:XFD1048576"), sheet_path=path)


@functools.cache
def shared_strings_bomb(headers):
    """~150 KB: shared strings that unpack to 50 MB of texts (two million, all alike)."""
    count = 2_000_000
    strings = (
        f'<sst {NS} count="{count}" uniqueCount="{count}">'.encode()
        + b"<si><t>ABCDEFGHIJKLMNO</t></si>" * count
        + b"</sst>"
    )
    rows = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return workbook(sheet(headers, rows), shared_strings=strings)


BYPASSES = {
    "a non-cell element in a row at 3000": (non_cell_child_far_down, "not a cell"),
    "the sheet under another part path": (
        lambda headers: sheet_elsewhere(headers, "xl/data/rows.xml"),
        "1,048,576",
    ),
    "the sheet stored as .bin": (
        lambda headers: sheet_elsewhere(headers, "xl/worksheets/sheet1.bin"),
        "1,048,576",
    ),
    "shared strings unpacking to 50 MB": (shared_strings_bomb, "shared texts"),
}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    # The 50 MB of shared strings would be refused at the default 48 MB after ~640,000 texts;
    # a smaller bound refuses the same file sooner (the memory measure stays the same).
    settings.IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES = 4 * MB


def _peak(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("bypass", list(BYPASSES))
def test_one_bounded_reader_refuses_each_bypass(bypass):
    build, message = BYPASSES[bypass]
    data = build(TARGET_HEADERS)
    assert len(data) < 200 * 1024, len(data)  # small on the wire

    def read():
        with pytest.raises(UnreadableFileError, match=message):
            XLSX().create_dataset(data)

    _nothing, peak = _peak(read)
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.0f} MB"


@pytest.mark.django_db
@pytest.mark.parametrize("bypass", list(BYPASSES))
def test_one_bounded_reader_on_the_admin_import_page(bypass, supervisor, client_for, settings):
    build, message = BYPASSES[bypass]
    data = build(TARGET_HEADERS)
    client = client_for(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, peak = _peak(
        lambda: client.post(
            reverse("admin:portal_target_import"),
            {"import_file": SimpleUploadedFile("targets.xlsx", data), "format": "1"},
        )
    )
    assert response.status_code == 200
    errors = str(response.context["form"].errors["import_file"])
    assert message in errors and "Traceback" not in errors, errors
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.0f} MB"
    assert not Target.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bypass", list(BYPASSES))
def test_one_bounded_reader_on_the_decision_sheet(bypass, liaison, client_for, settings):
    build, message = BYPASSES[bypass]
    data = build(DECISION_HEADERS)
    client = client_for(liaison)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, peak = _peak(
        lambda: client.post(
            reverse("admin:api_decisionupload_add"),
            {"file": SimpleUploadedFile("decisions.xlsx", data)},
            follow=True,
        )
    )
    errors = str(response.context["form"].errors["file"])
    assert message in errors and "Traceback" not in errors, errors
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.0f} MB"
    assert not DecisionUpload.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bypass", list(BYPASSES))
def test_one_bounded_reader_in_the_import_job(bypass, officer, django_capture_on_commit_callbacks):
    """The job reads its file once, as it checks the rows: a bypass far down the sheet refuses
    the file when the job reaches it, and what was checked and written before rolls back."""
    build, message = BYPASSES[bypass]
    upload = SimpleUploadedFile("targets.xlsx", build(JOB_HEADERS))  # the rows are read
    with django_capture_on_commit_callbacks():
        job = import_job_create(
            user=officer, resource_class=TargetImportResource, upload=upload, file_format="xlsx"
        )
    job, peak = _peak(lambda: import_job_run(job_id=job.pk))
    assert job.state == JobState.FAILED
    assert message in job.message and "Traceback" not in job.message, job.message
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.0f} MB"
    assert not Target.objects.exists()


def big_decision_csv(rows: int) -> bytes:
    """~120 bytes a row: 200,000 rows make the 24 MB sheet of the issue."""
    line = "TD-2026-{:06d},,IPPC-{:06d},removed,2026-11-25 14:30,,{}\r\n"
    note = "ตรวจสอบแล้ว " * 5
    body = "".join(line.format(n, n, note) for n in range(rows))
    return (
        "case_reference,item_url,ippc_ticket_id,decision,decided_at,reason_code,note\r\n" + body
    ).encode()


def test_one_bounded_reader_stops_a_24_mb_csv_decision_sheet_at_its_row_cap():
    data = big_decision_csv(200_000)
    assert len(data) > 24 * 10**6

    def read():
        with pytest.raises(SheetError, match="goes on to row 20,002; at most 20,000 rows"):
            read_sheet(data=data, file_name="decisions.csv")

    _nothing, peak = _peak(read)
    assert peak < 60 * MB, f"peak {peak / MB:.0f} MB"  # was 444 MB: the whole file parsed first


@pytest.mark.django_db
def test_one_bounded_reader_names_the_decision_sheet_row_cap_on_the_page(
    liaison, client_for, settings
):
    client = client_for(liaison)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("admin:api_decisionupload_add"),
        {"file": SimpleUploadedFile("decisions.csv", big_decision_csv(20_001))},
        follow=True,
    )
    errors = str(response.context["form"].errors["file"])
    assert "goes on to row 20,002; at most 20,000 rows" in errors, errors
    assert not DecisionUpload.objects.exists()


def test_one_bounded_reader_numbers_rows_as_the_file_does_and_skips_gaps_for_free():
    """A row far down costs nothing for the rows it skips, and keeps its number."""
    data = workbook(
        sheet(
            TARGET_HEADERS,
            '<row r="99999"><c r="A99999" t="inlineStr"><is><t>far</t></is></c></row>',
        )
    )
    table, peak = _peak(lambda: read_table(data, "xlsx"))
    assert table.header == ["name", "value"]
    assert list(table) == [(99999, ["far", None])]
    assert peak < 5 * MB
    csv_table = read_table(b"name,value\r\n\r\nx,1\r\n,\r\ny,2\r\n", "csv")
    assert list(csv_table) == [(3, ["x", "1"]), (5, ["y", "2"])]


def nul_in_a_cell(headers) -> bytes:
    """What a file saved as UTF-16 without its mark, or a binary file renamed .csv, looks like
    to a UTF-8 reader: text with NUL bytes (PostgreSQL stores no NUL in a text)."""
    rows = "".join(f"target {n},{n}\r\n" for n in range(2, 101))  # past the upload's type check
    return (",".join(headers) + "\r\n" + rows + "sec\x00ond,2\r\n").encode()


def infinite_number(headers) -> bytes:
    """A number cell of ``1E999``: read as a float it is infinity, which no cell holds."""
    return workbook(
        sheet(headers, '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>1E999</v></c></row>')
    )


CELL_REFUSALS = {
    "a NUL byte in a CSV cell": (nul_in_a_cell, "csv", "Cell A101 holds a NUL character"),
    "an infinite number cell": (infinite_number, "xlsx", "Cell B2 cannot be read: “1E999”"),
}


@pytest.mark.parametrize("refusal", list(CELL_REFUSALS))
def test_one_bounded_reader_refuses_a_cell_no_text_or_number_may_hold(refusal):
    build, kind, message = CELL_REFUSALS[refusal]
    with pytest.raises(UnreadableFileError, match=message):
        list(read_table(io.BytesIO(build(TARGET_HEADERS)), kind))


@pytest.mark.django_db
@pytest.mark.parametrize("refusal", list(CELL_REFUSALS))
def test_a_cell_no_text_or_number_may_hold_is_named_on_the_import_page_and_the_sheet(
    refusal, supervisor, liaison, client_for, settings
):
    """Before, the NUL reached PostgreSQL (a server error on most pages) and the infinite
    number a row error with no column ("cannot convert float infinity to integer")."""
    build, kind, message = CELL_REFUSALS[refusal]
    client = client_for(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("admin:portal_target_import"),
        {
            "import_file": SimpleUploadedFile(f"targets.{kind}", build(TARGET_HEADERS)),
            "format": "1" if kind == "xlsx" else "0",
        },
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["import_file"])
    client = client_for(liaison)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("admin:api_decisionupload_add"),
        {"file": SimpleUploadedFile(f"decisions.{kind}", build(DECISION_HEADERS))},
        follow=True,
    )
    assert message in str(response.context["form"].errors["file"])
    assert not Target.objects.exists() and not DecisionUpload.objects.exists()
