"""A job's CSV is read from the file a chunk at a time, decoded as an upload in a request is."""

import io

import pytest
import tablib
from django.utils import translation

from portal.engine import DatasetRows, FileImporter, FileRows
from portal.importing import CSV
from portal.models import Target
from portal.reading import UnreadableFileError
from tests.jobs.conftest import TARGET_HEADERS, target_rows
from tests.jobs.resources import TargetImportResource

TEXT = 'name,note\r\n"ข้าว, หอม","two\r\nlines"\r\n\r\nกาแฟ,\r\n'


def rows_of(source, size=1):
    return [(number, list(cells)) for chunk in source.chunks(size) for number, cells in chunk]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_reads_what_a_dataset_read_in_a_request_holds(encoding):
    raw = TEXT.encode(encoding)
    source = FileRows(io.BytesIO(raw))
    dataset = CSV().create_dataset(raw)
    assert source.headers == dataset.headers == ["name", "note"]
    assert source.total is None  # known once the rows are read
    # numbered as the file numbers them, the same in a job as in a request
    assert (
        rows_of(source)
        == rows_of(DatasetRows(dataset))
        == [(2, ["ข้าว, หอม", "two\r\nlines"]), (4, ["กาแฟ", ""])]
    )
    assert source.total == source.expected() == len(dataset) == 2  # the blank line is skipped
    assert rows_of(source, size=5) == rows_of(source)  # each pass reads the file again


def test_a_file_in_another_encoding_is_refused_with_advice():
    with pytest.raises(UnreadableFileError, match="UTF-8"):
        FileRows(io.BytesIO("name\r\ncafé\r\n".encode("latin-1")))


def test_a_row_with_too_many_or_too_few_cells_names_its_row():
    bad = b"a,b\r\n1,2\r\n1,2,3\r\n"
    english = pytest.raises(UnreadableFileError, match="Row 3 has 3 cells; the header row has 2")
    with english, translation.override("en"):
        rows_of(FileRows(io.BytesIO(bad)))
    with pytest.raises(UnreadableFileError, match="แถวที่ 3 มี 3 ช่อง"), translation.override("th"):
        rows_of(FileRows(io.BytesIO(bad)))


class CountingReads(io.BytesIO):
    def __init__(self, raw):
        super().__init__(raw)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.bytes_read += count
        return count


def test_a_job_reads_its_file_once_and_tells_its_rows_as_it_goes(db, workstream):
    """The rows are counted as they are read (a pass of its own cost a twentieth of a job, half
    of an XLSX file's); meanwhile the share of the file read tells how many to expect."""
    header = ",".join(TARGET_HEADERS) + "\r\n"
    lines = [",".join(str(c) for c in row) + "\r\n" for row in target_rows(workstream, 3000)]
    raw = (header + "".join(lines)).encode()
    source = CountingReads(raw)
    rows = FileRows(source)
    expected = []
    outcome = FileImporter(
        TargetImportResource(),
        rows,
        chunk_size=500,
        progress=lambda phase, done: phase == "validating" and expected.append(rows.expected()),
    ).run(write=False)
    assert outcome.ok and outcome.total == rows.total == 3000
    encoding_check = len(raw)  # the encoding is told from the whole file, before the header
    assert source.bytes_read <= encoding_check + len(raw) + 64 * 1024  # then read once
    assert all(abs(n - 3000) <= 300 for n in expected[:-1]) and expected[-1] == 3000


def test_an_xlsx_file_tells_its_rows_from_its_sheet_read_so_far(db, workstream):
    """The share read is the sheet's (its strings, read first, may be most of the file)."""
    dataset = tablib.Dataset(*target_rows(workstream, 3000), headers=list(TARGET_HEADERS))
    rows = FileRows(io.BytesIO(dataset.export("xlsx")), "xlsx")
    expected = []
    for _chunk in rows.chunks(500):
        expected.append(rows.expected())
    assert rows.total == rows.expected() == 3000
    assert all(abs(n - 3000) <= 300 for n in expected[:-1]), expected


def test_a_row_the_reader_refuses_far_down_a_job_s_file_refuses_the_file(db, workstream):
    """The file is opened (its header read), then refused at its bad row: nothing is written,
    and the job says why, as the import page does."""
    header = ",".join(TARGET_HEADERS) + "\r\n"
    lines = [",".join(str(c) for c in row) + "\r\n" for row in target_rows(workstream, 30)]
    lines[24] = lines[24].rstrip("\r\n") + ",extra\r\n"
    rows = FileRows(io.BytesIO((header + "".join(lines)).encode()))
    with translation.override("en"):
        outcome = FileImporter(TargetImportResource(), rows, chunk_size=10).run()
    assert outcome.unreadable.startswith("Row 26 has ")
    assert [(e.row, e.column, e.reason) for e in outcome.errors] == [(None, "", outcome.unreadable)]
    assert Target.objects.count() == 0  # the chunks written before it are rolled back


def test_a_job_file_is_imported_chunk_by_chunk(db, workstream):
    raw = io.StringIO()
    raw.write(",".join(TARGET_HEADERS) + "\r\n")
    for row in target_rows(workstream, 25):
        raw.write(",".join(str(cell) for cell in row) + "\r\n")
    source = FileRows(io.BytesIO(raw.getvalue().encode()))
    seen = []
    outcome = FileImporter(
        TargetImportResource(),
        source,
        chunk_size=10,
        progress=lambda phase, done: phase == "validating" and seen.append(done),
    ).run()
    assert outcome.ok and outcome.total == 25 and Target.objects.count() == 25
    assert seen == [10, 20, 25]
