"""Issue 23, "One bounded reader": whatever a crafted file claims, reading it costs at most about
100 MB plus a fixed amount per row it accepts.

Hypothesis combines the ways a small file can claim a large table: a sheet's dimension, rows far
down, millions of empty rows, elements in a row that are not cells, cells far right, long cells,
shared strings that unpack to tens of MB, deep nesting, the sheet under another part name; for a
CSV: many rows, a line with no end, a quote never closed, thousands of columns, another encoding.
Each file is read in a fresh child process (the rows it gives kept, as an import keeps them) (forked from a server that has set Django up), whose
peak resident memory (``VmHWM``) is compared with the bound. A reading either gives rows or
refuses the file with a message; it never fails otherwise.
"""

import io
import multiprocessing
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

MB = 1024 * 1024
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# Smaller rows than the defaults, so that the allowance per accepted row is a tight figure.
OVERRIDES = {"IMPORT_MAX_ROW_CHARS": 2048, "IMPORT_MAX_COLUMNS": 50}
BASE = 100 * MB
#: What a crafted file's generator writes at most (its claims may be much larger).
WRITTEN = 8 * MB
#: A row held: its tuple, list and number, and per cell a text object and its slot; the
#: characters at most 4 bytes each.
PER_ROW = 200 + OVERRIDES["IMPORT_MAX_COLUMNS"] * 90 + OVERRIDES["IMPORT_MAX_ROW_CHARS"] * 4

pytestmark = pytest.mark.skipif(
    not __import__("os").path.exists("/proc/self/clear_refs"), reason="needs Linux /proc"
)


@pytest.fixture(scope="module")
def context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.properties.reader_child"])
    return context


def read_in_child(context, data: bytes, file_format: str):
    from tests.properties.reader_child import measure

    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=measure, args=(data, file_format, OVERRIDES, sender))
    child.start()
    sender.close()
    result = receiver.recv()
    child.join()
    return result


# --- crafted workbooks ------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def write_workbook(plan: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}officeDocument" Target="xl/workbook.xml"/>'
            f"</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} xmlns:r="{REL[:-1]}"><sheets>'
            f'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}worksheet" Target="/{plan["path"]}"/>'
            f'<Relationship Id="rId2" Type="{REL}sharedStrings" Target="sharedStrings.xml"/>'
            f"</Relationships>",
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            stream.write(f"<sst {NS}>".encode())
            count, length = plan["shared"]
            text = f"<si><t>{'ก' * length}</t></si>".encode()
            for _ in range(count // 1000):
                stream.write(text * 1000)
            stream.write(text * (count % 1000) + b"</sst>")
        with archive.open(plan["path"], "w", force_zip64=True) as stream:
            write_sheet(stream, plan)
    return out.getvalue()


def write_sheet(stream, plan: dict) -> None:
    stream.write(f"<worksheet {NS}>".encode())
    if plan["dimension"]:
        stream.write(f'<dimension ref="{plan["dimension"]}"/>'.encode())
    stream.write(b"<sheetData>")
    headers = "".join(
        f'<c t="inlineStr"><is><t>column {n}</t></is></c>' for n in range(plan["columns"])
    )
    stream.write(f'<row r="1">{headers}</row>'.encode())
    cell = f'<c t="inlineStr"><is><t>{"x" * plan["cell_chars"]}</t></is></c>'
    shared = '<c t="s"><v>0</v></c>' if plan["shared"][0] else "<c><v>1</v></c>"
    row = f"<row>{cell * plan['cells']}{shared}</row>".encode()
    for _ in range(min(plan["rows"], WRITTEN // len(row))):
        stream.write(row)
    if plan["far_cell"]:
        stream.write(f'<row><c r="{plan["far_cell"]}"><v>1</v></c></row>'.encode())
    if plan["not_a_cell"]:
        stream.write(b'<row><x r="XFD1"><v>1</v></x></row>')
    if plan["nesting"]:
        stream.write(b"<row><c><is>" + b"<r>" * plan["nesting"])
    if plan["outside_text"]:
        stream.write(b" " * plan["outside_text"])
    block = b"<row/>" * 1000
    for _ in range(plan["empty_rows"] // 1000):
        stream.write(block)
    if plan["far_row"]:
        stream.write(f'<row r="{plan["far_row"]}"><c><v>1</v></c></row>'.encode())
    stream.write(b"</sheetData></worksheet>")


workbooks = st.fixed_dictionaries(
    {
        "path": st.sampled_from(
            ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.bin", "xl/data/rows.xml", "s"]
        ),
        "dimension": st.sampled_from(["", "A1:B2", "A1:XFD1048576", "junk"]),
        "columns": st.integers(1, 52),
        "rows": st.sampled_from([0, 1, 500, 20_000]),
        "cells": st.integers(0, 60),
        "cell_chars": st.sampled_from([0, 5, 100, 3000]),
        "shared": st.sampled_from([(0, 1), (1, 30), (100, 20_000), (100_000, 1), (100_000, 30)]),
        "far_cell": st.sampled_from(["", "AX2", "XFD2"]),
        "not_a_cell": st.booleans(),
        "nesting": st.sampled_from([0, 5, 200]),
        "outside_text": st.sampled_from([0, 1000, 3 * MB]),
        "empty_rows": st.sampled_from([0, 1000, 100_000]),
        "far_row": st.sampled_from([0, 3000, 100_002, 1_048_576]),
    }
)


# --- crafted CSV files ------------------------------------------------------------------------


def write_csv(plan: dict) -> bytes:
    header = ",".join(f"column {n}" for n in range(plan["columns"]))
    row = ",".join(["ข้าว" * plan["cell_chars"]] * plan["columns"])
    rows = min(plan["rows"], WRITTEN // (3 * len(row) + 2))
    parts = [header, "\r\n", (row + "\r\n") * rows]
    if plan["ragged"]:
        parts.append(row + ",extra\r\n")
    if plan["wide"]:
        parts.append("," * plan["wide"] + "\r\n")
    if plan["endless_line"]:
        parts.append("y" * plan["endless_line"])
    if plan["open_quote"]:
        parts.append('"' + "line\r\n" * plan["open_quote"])
    text = "".join(parts)
    data = text.encode(plan["encoding"], errors="replace")
    return data + (b"\xff" if plan["bad_byte"] else b"")


csv_files = st.fixed_dictionaries(
    {
        "columns": st.integers(1, 52),
        "cell_chars": st.sampled_from([0, 1, 30, 600]),
        "rows": st.sampled_from([0, 1, 1000, 50_000]),
        "ragged": st.booleans(),
        "wide": st.sampled_from([0, 100, 1_000_000]),
        "endless_line": st.sampled_from([0, 10_000, WRITTEN]),
        "open_quote": st.sampled_from([0, 100, WRITTEN // 6]),
        "encoding": st.sampled_from(["utf-8", "utf-8-sig", "cp874"]),
        "bad_byte": st.booleans(),
    }
)


def _small_workbook() -> bytes:
    from portal.xlsx import table_bytes

    rows = [["ข้าว", 1, 2.5, True, None], ["=1+1", -3, 1e20, False, "x" * 40]]
    return table_bytes("sheet", ["name", "n", "f", "b", "note"], rows)


DAMAGED = {
    "sheet": _small_workbook(),
    "csv": 'name,note\r\n"ข้าว, หอม","two\r\nlines"\r\nกาแฟ,\r\n'.encode(),
}


def assert_bounded(outcome: str, accepted: int, peak: int) -> None:
    assert not outcome.startswith("crashed"), outcome
    bound = BASE + accepted * PER_ROW
    assert peak <= bound, f"{peak / MB:.0f} MB > {bound / MB:.0f} MB ({outcome[:200]})"


@settings(max_examples=8)
@given(plan=workbooks)
def test_one_bounded_reader_peak_memory_of_crafted_xlsx(context, plan):
    data = write_workbook(plan)
    outcome, accepted, peak = read_in_child(context, data, "xlsx")
    assert_bounded(outcome, accepted, peak)


@settings(max_examples=12)
@given(plan=csv_files)
def test_one_bounded_reader_peak_memory_of_crafted_csv(context, plan):
    data = write_csv(plan)
    outcome, accepted, peak = read_in_child(context, data, "csv")
    assert_bounded(outcome, accepted, peak)


def test_one_bounded_reader_memory_measure_sees_the_rows_kept(context):
    """The measure sees what a reading holds: 20,000 rows of ten Thai cells, about 20 MB."""
    data = write_csv(
        {
            "columns": 10,
            "cell_chars": 2,
            "rows": 20_000,
            "ragged": False,
            "wide": 0,
            "endless_line": 0,
            "open_quote": 0,
            "encoding": "utf-8",
            "bad_byte": False,
        }
    )
    outcome, accepted, peak = read_in_child(context, data, "csv")
    assert (outcome, accepted) == ("read", 20_000)
    assert 10 * MB < peak < BASE, f"{peak / MB:.0f} MB"


@settings(max_examples=60)
@given(
    plan=st.sampled_from(["sheet", "csv"]),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    cut=st.floats(0.05, 1),
)
def test_one_bounded_reader_damaged_files_are_refused_with_a_message(plan, flips, cut):
    """Any byte changed or the file cut short: rows, or a message; never another error."""
    from portal.reading import UnreadableFileError, read_table

    data = bytearray(DAMAGED[plan])
    for where, value in flips:
        data[int(where * len(data))] = value
    data = bytes(data[: max(1, int(cut * len(data)))])
    try:
        for _row in read_table(data, "xlsx" if plan == "sheet" else "csv"):
            pass
    except UnreadableFileError:
        pass
