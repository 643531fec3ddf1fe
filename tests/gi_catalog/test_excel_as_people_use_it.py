"""Issue 23, "Excel as people use it": a seller list saved by Excel imports as it was typed."""

import io
from datetime import date, datetime

import openpyxl
import pytest
from django.utils import translation

from gi_catalog.choices import SellerKind
from gi_catalog.models import Seller
from portal import excel

from .conftest import admin_import, upload

pytestmark = pytest.mark.django_db

# Juristic-person tax IDs start with 0: Excel keeps 12 digits.
COMPANY_TAX_IDS = ("0105550000007", "0105550000015")


@translation.override("en")
def test_excel_cells_restored_only_where_sure():
    assert excel.thai_tax_id("105550000007") == "0105550000007"
    assert excel.thai_tax_id(105550000007.0) == "0105550000007"
    assert excel.thai_tax_id("0-1055-50000-00-7") == "0105550000007"
    with pytest.raises(ValueError, match="12 digits"):
        excel.thai_tax_id("105550000008")  # with a 0 the check digit fails: refused, not guessed
    assert excel.thai_phone(812345678) == "0812345678"
    assert excel.thai_phone("25474700") == "025474700"
    assert excel.thai_phone("081-234-5678") == "081-234-5678"
    with pytest.raises(ValueError, match="Thai phone"):
        excel.thai_phone("1234")
    assert excel.whole_number("1.0") == 1 and excel.whole_number(3.0) == 3
    with pytest.raises(ValueError, match="whole number"):
        excel.whole_number("1.5")
    assert excel.date_cell(datetime(2026, 1, 5)) == date(2026, 1, 5)
    assert excel.date_cell(46027) == date(2026, 1, 5)  # the serial of a date cell
    with pytest.raises(ValueError, match="scientific notation"):
        excel.cell_text("1.23457E+17")


def test_excel_saved_seller_csv_keeps_leading_zeros(officer, client_for):
    """The CSV Excel writes: tax IDs and phone numbers without their leading 0."""
    content = (
        "tax_id,name,kind,phone\n"
        "105550000007,บริษัท ข้าวดี จำกัด,company,812345678\n"
        "105550000015,บริษัท กาแฟดี จำกัด,company,25474700\n"
    ).encode()
    _, confirmed = admin_import(client_for(officer), "seller", content)
    assert confirmed is not None and confirmed.status_code == 302
    assert sorted(Seller.objects.values_list("tax_id", "phone")) == [
        ("0105550000007", "0812345678"),
        ("0105550000015", "025474700"),
    ]


def test_excel_typed_xlsx_with_thai_headers_and_labels(officer, client_for):
    """Number cells, Thai column headers and a choice written as its Thai label."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["เลขประจำตัวผู้เสียภาษี / เลขประจำตัวประชาชน", "ชื่อ", "ประเภทผู้ขาย", "โทรศัพท์"])
    with translation.override("th"):
        company = str(SellerKind.COMPANY.label)
    sheet.append([105550000007, "บริษัท ข้าวดี จำกัด", company, 812345678])
    out = io.BytesIO()
    book.save(out)
    _, confirmed = admin_import(client_for(officer), "seller", out.getvalue(), "s.xlsx", "xlsx")
    assert confirmed is not None and confirmed.status_code == 302
    seller = Seller.objects.get()
    assert (seller.tax_id, seller.kind, seller.phone) == ("0105550000007", "company", "0812345678")


def test_excel_ambiguous_tax_id_is_refused_with_row_and_column(officer, client_for):
    content = "tax_id,name,kind\n105550000008,บริษัท ก จำกัด,company\n".encode()
    response = upload(client_for(officer), "seller", content)
    rows = response.context["result"].invalid_rows
    assert [(row.number, list(row.error_dict)) for row in rows] == [(2, ["tax_id"])]
    assert "12" in rows[0].error_dict["tax_id"][0]
    assert not Seller.objects.exists()


def test_excel_unchanged_reimport_is_skipped_not_updated(officer, client_for):
    """The same sheet again, its cells now typed as numbers: skipped, no history row."""
    first = "tax_id,name,kind,phone\n0105550000007,บริษัท ข้าวดี จำกัด,company,0812345678\n"
    admin_import(client_for(officer), "seller", first.encode())
    seller = Seller.objects.get()
    history = seller.history.count()
    again = "tax_id,name,kind,phone\n105550000007,บริษัท ข้าวดี จำกัด,company,812345678.0\n"
    response = upload(client_for(officer), "seller", again.encode())
    totals = response.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (0, 0, 1)
    assert seller.history.count() == history
