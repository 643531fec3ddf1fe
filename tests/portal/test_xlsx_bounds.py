"""Issue 16, "a 5 KB XLSX takes ~3 GB": every XLSX the portal reads is bounded before it is read.

The hostile files are built here in memory: a few KB that declare or unpack to a sheet of
A1:XFD1048576, one cell of hundreds of MB, or millions of empty rows. Each is refused with a
message naming the limit, by the shared reader and through each way a file comes in (an admin
import, an import job in the worker, the liaison's decision sheet), and the reader's memory stays
bounded (tracemalloc peak: memory, not time).
"""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.api.models import DecisionUpload
from portal.importing import XLSX, UnreadableFileError
from portal.jobs.choices import JobState
from portal.jobs.services import import_job_create, import_job_run
from portal.models import Target
from tests.jobs.conftest import TARGET_HEADERS
from tests.jobs.resources import TargetImportResource

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
MB = 1024 * 1024
PEAK_LIMIT = 100 * MB


def _book_with(headers=("name", "value")) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(list(headers))
    book.active.append(["x", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_sheet(write_sheet, headers=("name", "value")) -> bytes:
    """A real workbook whose first sheet's XML is written by ``write_sheet(stream)``."""
    source = zipfile.ZipFile(io.BytesIO(_book_with(headers)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == SHEET:
                with target.open(SHEET, "w", force_zip64=True) as stream:
                    write_sheet(stream)
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def _header_row(stream, headers=("name", "value")):
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(headers)
    )
    stream.write(f'<row r="1">{cells}</row>'.encode())


def huge_dimension(headers) -> bytes:
    """~5 KB: a sheet that says it spans every row and column Excel has."""

    def write(stream):
        stream.write(f'<worksheet {NS}><dimension ref="A1:XFD1048576"/><sheetData>'.encode())
        _header_row(stream, headers)
        stream.write(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
        stream.write(b"</sheetData></worksheet>")

    return _replace_sheet(write, headers)


def huge_cell(size: int, headers) -> bytes:
    """One cell of ``size`` characters, compressed to a few hundred KB (written a MB at a time)."""

    def write(stream):
        stream.write(f"<worksheet {NS}><sheetData>".encode())
        _header_row(stream, headers)
        stream.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        chunk = b"A" * MB
        for _ in range(size // MB):
            stream.write(chunk)
        stream.write(b"</t></is></c></row></sheetData></worksheet>")

    return _replace_sheet(write, headers)


def empty_rows(count: int, headers) -> bytes:
    """Millions of empty rows without a dimension (each ``<row/>`` is a few bytes)."""

    def write(stream):
        stream.write(f"<worksheet {NS}><sheetData>".encode())
        _header_row(stream, headers)
        block = b"<row/>" * 10_000
        for _ in range(count // 10_000):
            stream.write(block)
        stream.write(b"</sheetData></worksheet>")

    return _replace_sheet(write, headers)


def sparse_last_row(headers) -> bytes:
    """No dimension; row 1 and then row 1,048,576: a reader fills the gap with empty rows."""

    def write(stream):
        stream.write(f"<worksheet {NS}><sheetData>".encode())
        _header_row(stream, headers)
        stream.write(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
        stream.write(b"</sheetData></worksheet>")

    return _replace_sheet(write, headers)


HOSTILE = {
    "dimension A1:XFD1048576": (huge_dimension, "rows"),
    "one 400 MB cell": (lambda headers: huge_cell(400 * MB, headers), "unpacks to"),
    "one 150 MB cell under the unpacked limit": (
        lambda headers: huge_cell(150 * MB, headers),
        "characters",
    ),
    "three million empty rows": (lambda headers: empty_rows(3_000_000, headers), "rows"),
    "a row at 1,048,576": (sparse_last_row, "rows"),
}
#: The decision sheet reads its columns first: its hostile files name the sheet's own columns.
DECISION_HEADERS = ("case_reference", "decision")


def _built(request, headers):
    build, message = HOSTILE[request.param]
    data = build(headers)
    assert len(data) < 2 * MB  # small on the wire: the danger is what it unpacks to
    return data, message


@pytest.fixture(scope="module", params=list(HOSTILE), ids=list(HOSTILE))
def hostile(request):
    return _built(request, ("name", "value"))


@pytest.fixture(scope="module", params=list(HOSTILE), ids=list(HOSTILE))
def hostile_decision_sheet(request):
    return _built(request, DECISION_HEADERS)


@pytest.fixture(scope="module", params=list(HOSTILE), ids=list(HOSTILE))
def hostile_job_file(request):
    """A job reads the rows once the Resource has the columns it needs: its hostile files name
    the import's own columns, so that the rows are what refuses them."""
    return _built(request, TARGET_HEADERS)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_xlsx_size_bounded_before_reading_with_a_clear_message(hostile):
    data, message = hostile
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFileError, match=message) as refused:
            XLSX().create_dataset(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.0f} MB"
    text = str(refused.value)
    assert any(limit in text for limit in ("100,000", "100", "32,767", "200")), text


def test_xlsx_size_bounded_names_each_limit(settings):
    settings.IMPORT_MAX_ROWS = 2
    settings.IMPORT_MAX_COLUMNS = 3
    settings.IMPORT_MAX_CELL_CHARS = 10

    def book(rows):
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    assert len(XLSX().create_dataset(book([["a", "b", "c"], [1, 2, 3], [4, 5, 6]]))) == 2
    with pytest.raises(UnreadableFileError, match="at most 2 rows"):
        XLSX().create_dataset(book([["a"], [1], [2], [3]]))
    with pytest.raises(UnreadableFileError, match="at most 3 columns"):
        XLSX().create_dataset(book([["a", "b", "c", "d"]]))
    with pytest.raises(UnreadableFileError, match="Cell B2 holds more than 10 characters"):
        XLSX().create_dataset(book([["a", "b"], ["ok", "x" * 11]]))


def test_xlsx_size_bounded_keeps_normal_files_as_they_were():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ชื่อ", "value", None])
    sheet.append(["ข้าว", 2, None])
    sheet.append([None, None, None])
    sheet["E3"] = "no header"  # right of the last header: no column reads it
    buffer = io.BytesIO()
    workbook.save(buffer)
    dataset = XLSX().create_dataset(buffer.getvalue())
    assert dataset.headers == ["ชื่อ", "value"]
    assert list(dataset) == [("ข้าว", 2)]  # a row with nothing under a header is no row
    assert dataset.row_numbers == [2]


def _refusal(hostile_message, text):
    return hostile_message in text and "Traceback" not in text


@pytest.mark.django_db
def test_xlsx_size_bounded_in_the_admin_import(hostile, supervisor, client_for, settings):
    data, message = hostile
    client = client_for(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages below are the English ones
    response = client.post(
        reverse("admin:portal_target_import"),
        {"import_file": SimpleUploadedFile("targets.xlsx", data), "format": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = str(response.context["form"].errors["import_file"])
    assert _refusal(message, errors), errors
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_xlsx_size_bounded_in_the_worker(
    hostile_job_file, officer, django_capture_on_commit_callbacks
):
    data, message = hostile_job_file
    with django_capture_on_commit_callbacks():
        job = import_job_create(
            user=officer,
            resource_class=TargetImportResource,
            upload=SimpleUploadedFile("targets.xlsx", data),
            file_format="xlsx",
        )
    job = import_job_run(job_id=job.pk)
    assert job.state == JobState.FAILED
    assert _refusal(message, job.message), job.message
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_xlsx_size_bounded_in_the_decision_sheet(
    hostile_decision_sheet, liaison, client_for, settings
):
    data, message = hostile_decision_sheet
    client = client_for(liaison)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("admin:api_decisionupload_add"),
        {"file": SimpleUploadedFile("decisions.xlsx", data)},
        follow=True,
    )
    errors = str(response.context["form"].errors["file"])
    assert _refusal(message, errors), errors
    assert not DecisionUpload.objects.exists()
