"""The one reader of every uploaded table: CSV or XLSX bytes in, numbered rows of cells out.

Every door a file comes in by — the admin's import pages, the background import job, the
liaison's decision sheet — reads it here and nowhere else::

    table = read_table(upload, "xlsx")      # or "csv"; bytes or a binary file
    table.header                            # the first row's cells, trailing empty ones dropped
    for number, cells in table:             # number as the file shows it (the header is row 1)
        ...                                 # cells: one value per header column

The checks are the parser: nothing is read twice, so nothing can be checked in one place and
read differently in another. The bounds apply while the file is read, a chunk at a time:

- rows (a row's own number, gaps included), columns, characters in a cell and in a row
  (``IMPORT_MAX_*``), so an accepted row costs a bounded amount and a refused file little;
- an XLSX's parts are found as a spreadsheet application finds them (the workbook from the
  package's relationships, its first sheet, shared strings and styles from the workbook's), every
  element a row holds is looked at, and what the workbook unpacks to is counted as it unpacks
  (``IMPORT_XLSX_MAX_UNPACKED_BYTES``), as is the shared strings' memory
  (``IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES``);
- a CSV is decoded as ``decode_text`` would decode it (UTF-8 with or without BOM, else Thai cp874
  when that is unambiguous) without holding its text, and parsed a line at a time.

A row whose cells are all empty is skipped (its number is not reused). Anything beyond a bound
or not well formed is an ``UnreadableFileError`` whose message names the row, column or part and
the limit.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

CHUNK = 64 * 1024
THAI_LETTERS = re.compile("[\u0e01-\u0e2e]")
# A Thai vowel or tone mark always follows a Thai character; bytes of another code page (é, è in
# Latin-1) decode to such marks standing after a Latin letter, which tells the two apart.
STRAY_THAI_MARK = re.compile("(?<![\u0e01-\u0e4e])[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


class UnreadableFileError(ValueError):
    """The upload is not a table we can read; the message tells the user what to do."""


@dataclass(frozen=True)
class Limits:
    """The bounds of one reading; from settings unless given."""

    rows: int  # data rows after the header
    columns: int
    cell_chars: int
    row_chars: int
    unpacked_bytes: int
    shared_strings_bytes: int

    @classmethod
    def from_settings(cls, *, max_rows: int | None = None) -> Limits:
        rows = settings.IMPORT_MAX_ROWS
        return cls(
            rows=min(rows, max_rows) if max_rows else rows,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            row_chars=settings.IMPORT_MAX_ROW_CHARS,
            unpacked_bytes=settings.IMPORT_XLSX_MAX_UNPACKED_BYTES,
            shared_strings_bytes=settings.IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES,
        )


class Table:
    """A file's header and an iterator over its (row number, cells) rows, read once, lazily;
    ``share_read()`` tells how much of what the rows are read from has been read (0 to 1)."""

    def __init__(
        self,
        header: list,
        rows: Iterator[tuple[int, list]],
        share_read: Callable[[], float] = lambda: 1.0,
    ):
        self.header = header
        self._rows = rows
        self.share_read = share_read

    def __iter__(self) -> Iterator[tuple[int, list]]:
        return self._rows


def read_table(source, file_format: str, *, max_rows: int | None = None) -> Table:
    """Read ``source`` (bytes or a seekable binary file) as ``"csv"`` or ``"xlsx"``.

    ``max_rows`` lowers the row bound for one door (the decision sheet's). The header is read
    at once (and refused here if the file cannot be opened); the rows as they are iterated.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    limits = Limits.from_settings(max_rows=max_rows)
    reader = (_XlsxReader if file_format == "xlsx" else _CsvReader)(source, limits)
    rows = reader.rows()
    try:
        first = next(rows)
    except StopIteration:
        return Table([], iter(()))
    return Table(first, rows, reader.share_read)


# --- messages ---------------------------------------------------------------------------------


def _too_many_rows(limits: Limits, row: int) -> UnreadableFileError:
    return UnreadableFileError(
        _(
            "The file goes on to row %(row)s; at most %(max)s rows (after the header) are imported "
            "from one file. Split it into smaller files."
        )
        % {"row": f"{row:,}", "max": f"{limits.rows:,}"}
    )


def _too_many_columns(limits: Limits, row: int, column: int) -> UnreadableFileError:
    return UnreadableFileError(
        _(
            "Row %(row)s has a cell in column %(column)s; at most %(max)s columns are read. "
            "Delete the columns the import does not use."
        )
        % {"row": f"{row:,}", "column": f"{column:,}", "max": f"{limits.columns:,}"}
    )


def _cell_too_long(limits: Limits, row: int, column: int | None) -> UnreadableFileError:
    cell = f"{get_column_letter(column)}{row}" if column else _("(a shared text)")
    return UnreadableFileError(
        _(
            "Cell %(cell)s holds more than %(max)s characters, the most one cell may hold. "
            "Shorten it and upload the file again."
        )
        % {"cell": cell, "max": f"{limits.cell_chars:,}"}
    )


def _nul_character(row: int, column: int) -> UnreadableFileError:
    return UnreadableFileError(
        _(
            "Cell %(cell)s holds a NUL character (byte 0), which no text may hold: the file is "
            "not plain CSV text (it may have been saved as UTF-16 or be another kind of file). "
            "Save it from Excel as “CSV UTF-8” and upload it again."
        )
        % {"cell": f"{get_column_letter(column)}{row}"}
    )


def _row_too_long(limits: Limits, row: int) -> UnreadableFileError:
    return UnreadableFileError(
        _(
            "Row %(row)s holds more than %(max)s characters in all; at most that much is read "
            "from one row. Shorten its cells and upload the file again."
        )
        % {"row": f"{row:,}", "max": f"{limits.row_chars:,}"}
    )


def _not_a_workbook() -> UnreadableFileError:
    return UnreadableFileError(
        _(
            "The file cannot be read as XLSX: it is not an Excel workbook. Save it from "
            "Excel as “Excel Workbook (.xlsx)”."
        )
    )


def _invalid_part(part: str, why: str = "") -> UnreadableFileError:
    return UnreadableFileError(
        _("The file is not a valid XLSX workbook (%(part)s cannot be read%(why)s).")
        % {"part": part, "why": f": {why}" if why else ""}
    )


def _unpacks_to_too_much(limits: Limits, size: int) -> UnreadableFileError:
    return UnreadableFileError(
        _(
            "The workbook unpacks to more than %(size)s MB; at most %(max)s MB is read from one "
            "file. Split it into smaller files."
        )
        % {
            "size": f"{size / 1048576:,.0f}",
            "max": f"{limits.unpacked_bytes / 1048576:,.0f}",
        }
    )


# --- CSV --------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode a whole uploaded text file as ``read_table`` decodes a CSV, or refuse it."""
    return data.decode(_csv_encoding(io.BytesIO(data)))


def _csv_encoding(file) -> str:
    """UTF-8 (BOM optional), else Thai cp874 when the bytes are unambiguously Thai text; read a
    chunk at a time."""
    file.seek(0)
    decoder, offset = codecs.getincrementaldecoder("utf-8")(), 0
    try:
        while chunk := file.read(CHUNK):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", True)
        return "utf-8-sig"
    except UnicodeDecodeError as error:
        position = offset - len(decoder.getstate()[0]) + error.start
    file.seek(0)
    decoder, previous, thai = codecs.getincrementaldecoder("cp874")(), "", False
    try:
        while chunk := file.read(CHUNK):
            text = decoder.decode(chunk)
            if STRAY_THAI_MARK.search(previous + text):
                break
            thai = thai or bool(THAI_LETTERS.search(text))
            previous = text[-1:]
        else:
            if thai:
                return "cp874"
    except UnicodeDecodeError:
        pass
    raise UnreadableFileError(
        _(
            "The file is not UTF-8 text (byte %(position)s cannot be read). "
            "Save it from Excel as “CSV UTF-8 (Comma delimited)” or upload it as XLSX."
        )
        % {"position": position + 1}
    )


class _CsvReader:
    def __init__(self, file, limits: Limits):
        self.file = file
        self.size = file.seek(0, io.SEEK_END)
        self.limits = limits
        # The text one record may take in the file: its cells, doubled quotes, separators.
        self.record_chars = 2 * limits.row_chars + 3 * limits.columns + 2
        self.chars_in_record = 0
        self.nul_in_record = False
        self.number = 0  # the record being read, as a spreadsheet numbers its rows

    def _lines(self, text) -> Iterator[str]:
        while line := text.readline(self.record_chars + 1):
            self.chars_in_record += len(line)
            if self.chars_in_record > self.record_chars:
                raise _row_too_long(self.limits, self.number + 1)
            if "\x00" in line:  # PostgreSQL stores no NUL in a text: refused with its cell
                self.nul_in_record = True
            yield line

    def rows(self) -> Iterator[list]:
        encoding = _csv_encoding(self.file)
        self.file.seek(0)
        text = io.TextIOWrapper(_Unclosable(self.file), encoding=encoding, newline="")
        records = csv.reader(self._lines(text))
        limits = self.limits
        width = None
        while True:
            self.chars_in_record, self.nul_in_record = 0, False
            try:
                record = next(records, None)
            except csv.Error as error:
                raise UnreadableFileError(
                    _("Row %(row)s cannot be read as CSV: %(error)s.")
                    % {"row": f"{self.number + 1:,}", "error": error}
                ) from error
            if record is None:
                return
            self.number += 1
            number = self.number
            if number > limits.rows + 1:
                raise _too_many_rows(limits, number)
            if len(record) > limits.columns:
                raise _too_many_columns(limits, number, len(record))
            lengths = list(map(len, record))  # each cell's, without a Python loop per cell
            if lengths and max(lengths) > limits.cell_chars:
                column = next(i for i, n in enumerate(lengths, 1) if n > limits.cell_chars)
                raise _cell_too_long(limits, number, column)
            if sum(lengths) > limits.row_chars:
                raise _row_too_long(limits, number)
            if self.nul_in_record:
                column = next((i for i, cell in enumerate(record, 1) if "\x00" in cell), 1)
                raise _nul_character(number, column)
            if width is None:
                width, header_blank = len(record), not any(cell.strip() for cell in record)
                yield record
                continue
            if not any(record):
                continue  # a blank line, or a line of empty cells
            if header_blank:
                raise UnreadableFileError(
                    _("The first line of the file is empty: it must name the columns.")
                )
            if len(record) != width:
                raise UnreadableFileError(
                    _("Row %(row)s has %(cells)s cells; the header row has %(columns)s.")
                    % {"row": number, "cells": len(record), "columns": width}
                )
            yield number, record

    def share_read(self) -> float:
        return min(1.0, self.file.tell() / self.size) if self.size else 1.0


class _Unclosable(io.RawIOBase):
    """A binary file seen through ``io.TextIOWrapper`` without being closed by it."""

    def __init__(self, file):
        self.file = file

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        pass


# --- XLSX -------------------------------------------------------------------------------------

RELATIONSHIP_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
STRICT_RELATIONSHIP_TYPES = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
#: Text outside cells (a part's other elements) is never long in a real workbook.
OTHER_TEXT_CHARS = 64 * 1024
#: Elements open at once: real workbooks nest a few levels deep.
MAX_DEPTH = 64
#: What zipfile raises on a damaged or unsupported archive (encrypted: RuntimeError).
BROKEN_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
#: Parts in a workbook's zip: a real one has a few dozen.
MAX_PARTS = 10_000
#: The zip's end record is in its last 22 bytes and a comment of up to 64 KB.
END_RECORD_SEARCH = 22 + 65_535
#: What a small part (relationships, workbook, styles) may unpack to.
SMALL_PART_BYTES = 16 * 1024 * 1024
#: The estimated memory of one shared string besides its characters (object, list slot).
SHARED_STRING_OVERHEAD = 64


def _local(name: str) -> str:
    return name.rpartition(":")[2]


#: Column letters already turned into numbers ("AB" → 28), kept for the first columns.
COLUMN_OF: dict[str, int] = {}
MAX_COLUMN_NAMES = 16_384


def _cell_kind(kind: str) -> str:
    kinds = {
        "s": _("reference to a shared text"),
        "b": _("true/false value"),
        "d": _("date"),
    }
    return kinds.get(kind, _("number"))


class _XlsxReader:
    """Streams the parts of a workbook through expat: only the parts the rows come from, each a
    chunk at a time, the handlers keeping no more than the row being read."""

    def __init__(self, file, limits: Limits):
        self.file = file
        self.limits = limits
        self.unpacked = 0
        self.part_read, self.part_size = 0, 0  # of the part being unpacked (last, the sheet)

    def rows(self) -> Iterator:
        self._check_part_count()
        try:
            archive = zipfile.ZipFile(self.file)
            self.parts = {info.filename: info for info in archive.infolist()}
        except BROKEN_ZIP as error:
            raise _not_a_workbook() from error
        self.archive = archive
        self.by_lower_name = {name.lower(): name for name in self.parts}
        with archive:
            workbook = self._relationship_target("", "officeDocument")
            if workbook is None:
                raise _not_a_workbook()
            sheet_id, date1904 = self._first_sheet(workbook)
            sheet = self._relationship_target(workbook, None, rel_id=sheet_id)
            if sheet is None:
                raise _invalid_part(workbook, _("it names no sheet"))
            strings = self._relationship_target(workbook, "sharedStrings")
            styles = self._relationship_target(workbook, "styles")
            sheet_reader = _SheetReader(
                self.limits,
                part=sheet,
                shared_strings=self._shared_strings(strings) if strings else [],
                date_styles=self._date_styles(styles) if styles else {},
                epoch=CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900,
            )
            yield from sheet_reader.read(self._chunks(sheet))

    def share_read(self) -> float:
        return min(1.0, self.part_read / self.part_size) if self.part_size else 1.0

    # -- the package

    def _check_part_count(self) -> None:
        """Refuse a zip of more parts than a workbook has before its directory is read (each
        entry would cost memory): the count stands in the zip's last record."""
        self.file.seek(0, io.SEEK_END)
        size = self.file.tell()
        self.file.seek(max(0, size - END_RECORD_SEARCH))
        tail = self.file.read()
        self.file.seek(0)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) < at + 22:
            raise _not_a_workbook()
        if int.from_bytes(tail[at + 10 : at + 12], "little") > MAX_PARTS:
            raise _invalid_part(_("the zip directory"), _("it has too many parts"))

    def _part(self, name: str) -> zipfile.ZipInfo | None:
        name = name.lstrip("/")
        found = self.parts.get(name) or self.parts.get(self.by_lower_name.get(name.lower(), ""))
        return found

    def _chunks(self, name: str, budget: int | None = None) -> Iterator[bytes]:
        """A part's bytes as it unpacks, counted against the workbook's bound."""
        info = self._part(name)
        if info is None:
            raise _invalid_part(name, _("it is missing"))
        if self.unpacked + info.file_size > self.limits.unpacked_bytes:
            raise _unpacks_to_too_much(self.limits, self.unpacked + info.file_size)
        read = 0
        self.part_size = info.file_size
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    read += len(chunk)
                    self.part_read = read
                    self.unpacked += len(chunk)
                    if self.unpacked > self.limits.unpacked_bytes:
                        raise _unpacks_to_too_much(self.limits, self.unpacked)
                    if budget is not None and read > budget:
                        raise _invalid_part(name, _("it is too large"))
                    yield chunk
        except UnreadableFileError:
            raise
        except BROKEN_ZIP as error:
            raise _invalid_part(name) from error

    def _relationship_target(self, source: str, kind: str | None, rel_id: str = ""):
        """The part a relationship of ``source`` (``""``: the package) points to, by type or id."""
        folder, base = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        if self._part(rels) is None:
            return None
        for attrs in _SmallPart(self.limits, rels, {"Relationship"}).read(self._small(rels)):
            type_ = attrs.get("Type", "")
            if rel_id and attrs.get("Id") != rel_id:
                continue
            if kind and type_ not in (
                RELATIONSHIP_TYPES + kind,
                STRICT_RELATIONSHIP_TYPES + kind,
            ):
                continue
            if attrs.get("TargetMode") == "External" or not attrs.get("Target"):
                continue
            target = attrs["Target"]
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(folder, target))
        return None

    def _small(self, name: str) -> Iterator[bytes]:
        return self._chunks(name, budget=SMALL_PART_BYTES)

    def _first_sheet(self, workbook: str) -> tuple[str, bool]:
        sheet_id, date1904 = None, False
        for attrs in _SmallPart(self.limits, workbook, {"sheet", "workbookPr"}).read(
            self._small(workbook)
        ):
            if attrs["."] == "workbookPr":
                date1904 = attrs.get("date1904", "").lower() in ("1", "true")
            elif sheet_id is None:
                sheet_id = next((v for k, v in attrs.items() if _local(k) == "id"), None)
        if sheet_id is None:
            raise _invalid_part(workbook, _("it names no sheet"))
        return sheet_id, date1904

    def _date_styles(self, styles: str) -> dict[int, bool]:
        """Style index → True for a duration format, False for a date; absent: not a date."""
        custom, number_formats = {}, []
        in_cell_xfs = False
        for attrs in _SmallPart(self.limits, styles, {"numFmt", "xf", "cellXfs"}).read(
            self._small(styles), with_ends=True
        ):
            element = attrs["."]
            if element == "numFmt":
                custom[attrs.get("numFmtId")] = attrs.get("formatCode")
            elif element == "cellXfs":
                in_cell_xfs = attrs.get("/") is None
            elif element == "xf" and in_cell_xfs and attrs.get("/") is None:
                number_formats.append(attrs.get("numFmtId", "0"))
        dates = {}
        for index, format_id in enumerate(number_formats):
            code = custom.get(format_id)
            if code is None and format_id.isdigit():
                code = BUILTIN_FORMATS.get(int(format_id))
            if code and is_date_format(code):
                dates[index] = bool(is_timedelta_format(code))
        return dates

    def _shared_strings(self, part: str) -> list[str]:
        reader = _SharedStrings(self.limits, part)
        return reader.read(self._chunks(part))


class _ExpatPart:
    """Runs a part through expat with ``start``, ``end`` and ``text`` handlers, refusing a DTD,
    nesting beyond ``MAX_DEPTH`` and a token expat would have to hold whole past a bound."""

    def __init__(self, limits: Limits, part: str):
        self.limits = limits
        self.part = part
        self.depth = 0
        self.other_text = 0
        self.fed_since_event = 0
        # Bytes fed with no element starting or ending: one cell's text (a character is at most
        # a 10-byte entity), with room to spare; more is a token expat would hold whole.
        self.quiet_bytes = 10 * limits.cell_chars + CHUNK

    def parse(self, chunks: Iterator[bytes]) -> Iterator:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start_element
        parser.EndElementHandler = self._end_element
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = self._doctype
        try:
            for chunk in chunks:
                self.fed_since_event += len(chunk)
                parser.Parse(chunk, False)
                if self.fed_since_event > self.quiet_bytes:
                    self.too_quiet()
                yield from self.ready()
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            why = _("it is not well-formed XML (line %(line)s)") % {"line": error.lineno}
            raise _invalid_part(self.part, why) from error
        yield from self.ready()

    def too_quiet(self):
        raise _invalid_part(self.part, _("it holds a text or tag too long"))

    def _doctype(self, *args):
        raise _invalid_part(self.part, _("it declares a DTD"))

    def _start_element(self, name, attrs):
        self.fed_since_event = self.other_text = 0
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.too_deep()
        self.start(name.rpartition(":")[2] if ":" in name else name, attrs)

    def _end_element(self, name):
        self.fed_since_event = self.other_text = 0
        self.depth -= 1
        self.end(name.rpartition(":")[2] if ":" in name else name)

    def too_deep(self):
        raise _invalid_part(self.part, _("its elements nest too deep"))

    def text(self, data):
        self.other_text += len(data)
        if self.other_text > OTHER_TEXT_CHARS:
            self.too_quiet()

    def start(self, name, attrs):
        pass

    def end(self, name):
        pass

    def ready(self) -> list:
        return []


class _SmallPart(_ExpatPart):
    """The attributes of the elements named ``wanted`` (``"."``: the element's name; with
    ``with_ends``, an end is reported with ``"/"`` set)."""

    def __init__(self, limits, part, wanted: set[str]):
        super().__init__(limits, part)
        self.wanted = wanted
        self.found: list[dict] = []
        self.with_ends = False

    def read(self, chunks, *, with_ends=False):
        self.with_ends = with_ends
        return self.parse(chunks)

    def start(self, name, attrs):
        if name in self.wanted:
            attrs["."] = name
            self.found.append(attrs)

    def end(self, name):
        if self.with_ends and name in self.wanted:
            self.found.append({".": name, "/": True})

    def ready(self):
        found, self.found = self.found, []
        return found


class _SharedStrings(_ExpatPart):
    """The workbook's table of texts, bounded by the memory it takes."""

    def __init__(self, limits, part):
        super().__init__(limits, part)
        self.strings: list[str] = []
        self.pieces: list[str] | None = None
        self.chars = 0
        self.phonetic = 0
        self.size = 0
        self.collecting = False

    def read(self, chunks) -> list[str]:
        for _nothing in self.parse(chunks):
            pass
        return self.strings

    def start(self, name, attrs):
        if name == "si":
            self.pieces, self.chars = [], 0
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.pieces is not None and not self.phonetic:
            self.collecting = True

    def end(self, name):
        if name == "t":
            self.collecting = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.pieces is not None:
            text = "".join(self.pieces).replace("x005F_", "")
            self.size += SHARED_STRING_OVERHEAD + len(text) * (1 if text.isascii() else 2)
            if self.size > self.limits.shared_strings_bytes:
                raise UnreadableFileError(
                    _(
                        "The workbook's shared texts take more than %(max)s MB; at most that "
                        "much is read from one file. Split it into smaller files."
                    )
                    % {"max": f"{self.limits.shared_strings_bytes / 1048576:,.0f}"}
                )
            self.strings.append(text)
            self.pieces = None

    def text(self, data):
        if self.collecting:
            self.chars += len(data)
            if self.chars > self.limits.cell_chars:
                raise _cell_too_long(self.limits, 0, None)
            self.pieces.append(data)
        else:
            super().text(data)


class _SheetReader(_ExpatPart):
    """A worksheet's rows as (number, cells), the header first; typed as openpyxl types them."""

    def __init__(self, limits, *, part, shared_strings, date_styles, epoch):
        super().__init__(limits, part)
        self.shared_strings = shared_strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.in_sheet_data = False
        self.row_number = 0
        self.row_digits = "0"
        self.row: dict[int, object] | None = None
        self.row_chars = 0
        self.column = 0
        self.cell: tuple | None = None  # (column, type, style)
        self.pieces: list[str] = []
        self.cell_chars = 0
        self.collecting = False
        self.in_inline = False
        self.phonetic = 0
        self.skipping = 0
        self.header: list | None = None
        self.header_names = False
        self.done: list = []

    def read(self, chunks):
        return self.parse(chunks)

    def ready(self):
        done, self.done = self.done, []
        return done

    def _start_element(self, name, attrs):
        """``_ExpatPart._start_element`` and ``start`` in one: a sheet has millions of elements."""
        self.fed_since_event = self.other_text = 0
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.too_deep()
        if ":" in name:
            name = name.rpartition(":")[2]
        if self.skipping:
            self.skipping += 1
            return
        if self.cell is not None:
            if name == "v" and not self.in_inline:
                self.collecting = True
            elif name == "is":
                self.in_inline = True
            elif name == "rPh":
                self.phonetic += 1
            elif name == "t" and self.in_inline and not self.phonetic:
                self.collecting = True
            return
        if self.row is not None:
            if name == "c":
                self._start_cell(attrs)
            elif name == "extLst":
                self.skipping = 1
            else:
                raise _invalid_part(
                    self.part,
                    _("row %(row)s holds a <%(element)s> element, not a cell")
                    % {"row": f"{self.row_number:,}", "element": name},
                )
            return
        if name == "sheetData":
            self.in_sheet_data = True
        elif name == "row" and self.in_sheet_data:
            self._start_row(attrs)

    def _column_of(self, letters: str, reference: str) -> int:
        try:
            column = column_index_from_string(letters)
        except ValueError:
            raise _invalid_part(
                self.part, _("cell %(cell)s is misplaced") % {"cell": reference[:20]}
            ) from None
        if len(COLUMN_OF) < MAX_COLUMN_NAMES:
            COLUMN_OF[letters] = column
        return column

    def _start_row(self, attrs):
        number = attrs.get("r")
        if number is None:
            number = self.row_number + 1
        elif not number.isdigit() or int(number) <= self.row_number:
            raise _invalid_part(self.part, _("row %(row)s is out of order") % {"row": number[:20]})
        else:
            number = int(number)
        if number > self.limits.rows + 1:
            raise _too_many_rows(self.limits, number)
        self.row_number, self.row, self.row_chars, self.column = number, {}, 0, 0
        self.row_digits = str(number)

    def _start_cell(self, attrs):
        reference = attrs.get("r")
        if reference:
            letters = reference.rstrip("0123456789")
            if reference[len(letters) :] not in ("", self.row_digits):
                raise _invalid_part(
                    self.part, _("cell %(cell)s is misplaced") % {"cell": reference[:20]}
                )
            column = COLUMN_OF.get(letters) or self._column_of(letters, reference)
        else:
            column = self.column + 1
        if column > self.limits.columns:
            raise _too_many_columns(self.limits, self.row_number, column)
        if self.header is not None and not self.header_names:
            raise UnreadableFileError(
                _("The first line of the file is empty: it must name the columns.")
            )
        self.column = column
        style = attrs.get("s", "0")
        self.cell = (column, attrs.get("t", "n"), int(style) if style.isdigit() else 0)
        self.pieces, self.cell_chars = [], 0

    def _end_element(self, name):
        self.fed_since_event = self.other_text = 0
        self.depth -= 1
        if ":" in name:
            name = name.rpartition(":")[2]
        if self.skipping:
            self.skipping -= 1
            return
        if self.cell is not None:
            if name == "v" or name == "t":
                self.collecting = False
            elif name == "is":
                self.in_inline = False
            elif name == "rPh":
                self.phonetic -= 1
            elif name == "c":
                self._end_cell()
            return
        if name == "row" and self.row is not None:
            self._end_row()
        elif name == "sheetData":
            self.in_sheet_data = False

    def text(self, data):
        if self.collecting:
            self.cell_chars += len(data)
            if self.cell_chars > self.limits.cell_chars:
                raise _cell_too_long(self.limits, self.row_number, self.cell[0])
            self.pieces.append(data)
        elif not self.skipping:
            super().text(data)

    def _end_cell(self):
        column, kind, style = self.cell
        self.cell, self.in_inline, self.phonetic = None, False, 0
        if self.header is not None and column > len(self.header):
            return  # right of the last header: no column reads it
        pieces = self.pieces
        text = pieces[0] if len(pieces) == 1 else "".join(pieces)
        try:
            value = self._value(text, kind, style)
        except (ValueError, IndexError, OverflowError) as error:
            raise UnreadableFileError(
                _("Cell %(cell)s cannot be read: “%(value)s” is not a %(kind)s.")
                % {
                    "cell": f"{get_column_letter(column)}{self.row_number}",
                    "value": text[:50],
                    "kind": _cell_kind(kind),
                }
            ) from error
        if isinstance(value, str):
            self.row_chars += len(value)
            if self.row_chars > self.limits.row_chars:
                raise _row_too_long(self.limits, self.row_number)
        if value is not None:
            self.row[column] = value

    def _value(self, text: str, kind: str, style: int):
        """The cell's value as openpyxl gives it (``values_only``, cached formula results)."""
        if not text:
            return None
        if kind == "inlineStr":
            return text
        if kind == "n":
            number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            if not math.isfinite(number):  # 1E999: no cell of a spreadsheet holds infinity
                raise ValueError(text)
            if style in self.date_styles:
                return from_excel(number, self.epoch, timedelta=self.date_styles[style])
            return number
        if kind == "s":
            index = int(text)
            if index < 0:
                raise IndexError(index)
            return self.shared_strings[index]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text) and "e" (an error such as #N/A)

    def _end_row(self):
        cells, self.row = self.row, None
        if self.header is None:
            if self.row_number != 1:
                raise UnreadableFileError(
                    _("The first line of the file is empty: it must name the columns.")
                )
            width = max(cells, default=0)
            self.header = [cells.get(column) for column in range(1, width + 1)]
            self.header_names = any(str(name).strip() for name in cells.values())
            self.done.append(self.header)
            return
        if not cells:
            return
        self.done.append(
            (self.row_number, [cells.get(column) for column in range(1, len(self.header) + 1)])
        )
