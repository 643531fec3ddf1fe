"""An admin export in XLSX has the portal's layout: a styled, frozen header row, fitted columns."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from gi_catalog.choices import SellerKind
from gi_catalog.models import Seller
from gi_catalog.resources import SellerResource
from portal.xlsx import display_width
from tests.gi_catalog.conftest import admin_import, export
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
    headers = SellerResource().column_names_of([c.value for c in sheet[1]])  # Thai headers
    name = sheet.cell(2, headers.index("name") + 1).value
    assert name == "วิสาหกิจชุมชนกาแฟดอยช้าง จังหวัดเชียงราย"
    # Thai vowel and tone marks above and below a letter take no width of their own.
    assert display_width(name) == 33
    assert sheet.column_dimensions[name_letter(headers)].width == 35


def name_letter(headers) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(headers.index("name") + 1)


def test_an_xlsx_export_shows_choice_labels_and_imports_back_unchanged(
    officer, client_for, make_seller
):
    seller = make_seller(kind=SellerKind.COMMUNITY_ENTERPRISE)
    client = client_for(officer)
    response = export(client, "seller", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = SellerResource().column_names_of([c.value for c in sheet[1]])  # Thai headers
    kind = sheet.cell(2, headers.index("kind") + 1).value
    with translation.override("th"):  # the officer's language
        assert kind == str(SellerKind.COMMUNITY_ENTERPRISE.label)
    assert kind != SellerKind.COMMUNITY_ENTERPRISE.value

    dry_run, confirmed = admin_import(
        client, "seller", response.content, name="sellers.xlsx", fmt="xlsx"
    )
    assert confirmed is not None, dry_run.content.decode()[:2000]
    assert confirmed.status_code == 302
    seller.refresh_from_db()
    assert seller.kind == SellerKind.COMMUNITY_ENTERPRISE
    assert Seller.objects.count() == 1
