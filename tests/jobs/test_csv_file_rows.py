"""A job's CSV is read from the file a chunk at a time, decoded as an upload in a request is."""

import io

import pytest
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
    assert source.total == len(dataset) == 2  # the blank line is skipped
    # numbered as the file numbers them, the same in a job as in a request
    assert (
        rows_of(source)
        == rows_of(DatasetRows(dataset))
        == [(2, ["ข้าว, หอม", "two\r\nlines"]), (4, ["กาแฟ", ""])]
    )
    assert rows_of(source, size=5) == rows_of(source)  # each pass reads the file again


def test_a_file_in_another_encoding_is_refused_with_advice():
    with pytest.raises(UnreadableFileError, match="UTF-8"):
        FileRows(io.BytesIO("name\r\ncafé\r\n".encode("latin-1")))


def test_a_row_with_too_many_or_too_few_cells_names_its_row():
    bad = b"a,b\r\n1,2\r\n1,2,3\r\n"
    english = pytest.raises(UnreadableFileError, match="Row 3 has 3 cells; the header row has 2")
    with english, translation.override("en"):
        FileRows(io.BytesIO(bad))
    with pytest.raises(UnreadableFileError, match="แถวที่ 3 มี 3 ช่อง"), translation.override("th"):
        FileRows(io.BytesIO(bad))


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
