import pytest
import tablib

from portal.importing import CSV, XLSX, escape_formula, unescape_formula
from portal.reading import UnreadableFileError, decode_text


@pytest.mark.parametrize(
    "raw",
    ["ชื่อ,จังหวัด\r\nข้าว,เชียงราย\r\n".encode("utf-8-sig"), "ชื่อ,จังหวัด\nข้าว,เชียงราย\n".encode()],
)
def test_utf8_with_or_without_bom_and_crlf(raw):
    dataset = CSV().create_dataset(raw)
    assert dataset.headers == ["ชื่อ", "จังหวัด"]
    assert dataset[0] == ("ข้าว", "เชียงราย")


def test_thai_excel_cp874_is_read():
    assert decode_text("ชื่อ,ข้าวหอมมะลิ\n".encode("cp874")) == "ชื่อ,ข้าวหอมมะลิ\n"


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("name\nCafé crème\n", "latin-1"),
        ("name\nMüller\n", "latin-1"),
        ("名前\n東京\n", "shift_jis"),
    ],
)
def test_other_encodings_are_refused_with_advice(text, encoding):
    with pytest.raises(UnreadableFileError, match="CSV UTF-8"):
        decode_text(text.encode(encoding))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("==x", "'==x"),
        ("+66", "'+66"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("safe", "safe"),
        (12, 12),
        (None, None),
    ],
)
def test_formula_escaping(value, expected):
    assert escape_formula(value) == expected


@pytest.mark.parametrize(
    "value, exported",
    [
        ("+66 81 234 5678", "'+66 81 234 5678"),
        ("'+66", "''+66"),  # a quote that is data is kept: quoted once more on export
        ("''=x", "'''=x"),
        ("'quoted", "'quoted"),
        ("'", "'"),
        ("plain", "plain"),
        (None, None),
        (12, 12),
    ],
)
def test_export_then_import_round_trips_the_formula_escape(value, exported):
    """Issue 16, item "Export → import corrupts data"."""
    assert escape_formula(value) == exported
    assert unescape_formula(exported) == value


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_export_formats_escape_every_cell(file_format):
    dataset = tablib.Dataset(['=HYPERLINK("x")', "ok"], headers=["a", "b"])
    exported = file_format().export_data(dataset)
    reread = file_format().create_dataset(exported)
    assert reread[0][0] == '\'=HYPERLINK("x")'
    assert reread[0][1] == "ok"
