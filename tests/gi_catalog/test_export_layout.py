"""An admin export in XLSX has the portal's layout: a styled, frozen header row, fitted columns."""

import io

import pytest
from openpyxl import load_workbook

from portal.xlsx import display_width
from tests.gi_catalog.conftest import export
from tests.xlsx_checks import assert_header_row, assert_widths_fit

pytestmark = pytest.mark.django_db


def test_an_admin_export_has_a_styled_frozen_header_and_fitted_columns(
    manager, client_for, make_seller
):
    make_seller(name="วิสาหกิจชุมชนกาแฟดอยช้าง จังหวัดเชียงราย")
    response = export(client_for(manager), "seller", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert_header_row(sheet, 1)
    assert sheet.freeze_panes == "A2"
    assert_widths_fit(sheet)
    headers = [c.value for c in sheet[1]]
    name = sheet.cell(2, headers.index("name") + 1).value
    assert name == "วิสาหกิจชุมชนกาแฟดอยช้าง จังหวัดเชียงราย"
    # Thai vowel and tone marks above and below a letter take no width of their own.
    assert display_width(name) == 33
    assert sheet.column_dimensions[name_letter(headers)].width == 35


def name_letter(headers) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(headers.index("name") + 1)
