"""Checks of the portal's XLSX layout (``portal.xlsx``), shared by the export and report tests."""

from portal.xlsx import HEADER_FILL, MAX_WIDTH, display_width


def assert_header_row(sheet, row_number: int):
    cells = [c for c in sheet[row_number] if c.value is not None]
    assert cells, f"row {row_number} is empty"
    for cell in cells:
        assert cell.font.bold, cell.coordinate
        assert cell.fill.fgColor.rgb.endswith(HEADER_FILL.fgColor.rgb[-6:]), cell.coordinate


def assert_widths_fit(sheet):
    """Every column is as wide as its longest text (up to the cap)."""
    longest: dict[str, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                longest[cell.column_letter] = max(
                    longest.get(cell.column_letter, 0), display_width(cell.value)
                )
    assert longest
    for letter, width in longest.items():
        assert sheet.column_dimensions[letter].width >= min(width, MAX_WIDTH), letter
