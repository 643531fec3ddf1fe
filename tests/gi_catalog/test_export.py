"""Exports in CSV and XLSX: every model, formula-like cells escaped, what was exported re-imports."""

import pytest
import tablib

from gi_catalog.models import GIProduct, Seller
from gi_catalog.resources import SellerResource
from portal.importing import CSV, XLSX
from tests.gi_catalog.conftest import admin_import, export

pytestmark = pytest.mark.django_db

READERS = {"csv": CSV, "xlsx": XLSX}


def read(response, fmt) -> tablib.Dataset:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return READERS[fmt]().create_dataset(content)


def read_sellers(response, fmt) -> tablib.Dataset:
    """An export of sellers, its headers (Thai in a Thai user's XLSX) as the column codes."""
    dataset = read(response, fmt)
    dataset.headers = SellerResource().column_names_of(dataset.headers)
    return dataset


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "model",
    ["giproduct", "seller", "giauthorization", "promotionactivity", "onboardingapplication"],
)
def test_manager_exports_every_model(model, fmt, manager, client_for, authorization, activity):
    from gi_catalog.models import OnboardingApplication

    OnboardingApplication.objects.create(seller=authorization.seller)
    response = export(client_for(manager), model, fmt)
    assert response.status_code == 200
    dataset = read(response, fmt)
    assert len(dataset) == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "evil", ['=HYPERLINK("http://x","y")', "+66 81 234 5678", "-1", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_formula_like_cells_are_escaped(fmt, evil, officer, client_for, make_seller):
    make_seller(name=evil, phone=evil)
    dataset = read_sellers(export(client_for(officer), "seller", fmt), fmt)
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    for column in ("name", "phone"):
        # XLSX stores a lone CR as a line break; what matters is the leading quote.
        assert row[column].replace("\n", "\r") == "'" + evil


def test_exported_products_reimport_without_changes(officer, client_for, coffee):
    client = client_for(officer)
    response = export(client, "giproduct", "csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"TH-57" in content
    assert b"Chiang Rai" in content
    _, confirmed = admin_import(client, "giproduct", content)
    assert confirmed.status_code == 302
    assert GIProduct.objects.count() == 1


def test_exported_tax_id_keeps_its_leading_zero(officer, client_for, make_seller):
    from tests.gi_catalog.conftest import valid_tax_id

    tax_id = valid_tax_id(5, company=True)
    make_seller(tax_id=tax_id)
    for fmt in ("csv", "xlsx"):
        dataset = read_sellers(export(client_for(officer), "seller", fmt), fmt)
        assert str(dataset["tax_id"][0]) == tax_id
    assert Seller.objects.count() == 1


def test_excel_export_button_says_export_in_thai(officer, client_for):
    """The export page's button reads "ส่งออก" (export), not "ส่ง" (send)."""
    from django.urls import reverse

    page = client_for(officer).get(reverse("admin:gi_catalog_seller_export")).content.decode()
    assert 'type="submit" class="default" value="ส่งออก"' in page
    assert 'value="ส่ง"' not in page


def test_export_xlsx_is_the_default_format(officer, client_for):
    """Issue 23: the export page has XLSX chosen; CSV stays one choice away."""
    from django.urls import reverse

    page = client_for(officer).get(reverse("admin:gi_catalog_seller_export"))
    form = page.context["form"]
    chosen = form["format"].value()
    assert dict(form.fields["format"].choices)[chosen] == "xlsx"
    assert "csv" in dict(form.fields["format"].choices).values()
