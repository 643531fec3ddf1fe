"""Catalog fixtures and helpers to drive the admin's import and export like a user does."""

import random
from datetime import date

import pytest
from django.urls import reverse

from gi_catalog.choices import GICategory, SellerKind
from gi_catalog.management.commands.demo_catalog import thai_tax_id
from gi_catalog.models import GIAuthorization, GIProduct, PromotionActivity, Seller
from portal.models import Province

FORMAT_INDEX = {"csv": "0", "xlsx": "1"}


def valid_tax_id(seed: int, company: bool = False) -> str:
    return thai_tax_id(random.Random(seed), company=company)


@pytest.fixture
def chiang_rai():
    return Province.objects.get(code="TH-57")


@pytest.fixture
def coffee(chiang_rai):
    product = GIProduct.objects.create(
        name_th="กาแฟดอยตุง",
        name_en="Kafae Doi Tung",
        category=GICategory.BEVERAGE,
        registration_number="สช 49100002",
    )
    product.provinces.set([chiang_rai])
    return product


@pytest.fixture
def make_seller(chiang_rai):
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        values = {
            "name": f"วิสาหกิจชุมชนกาแฟ {n}",
            "kind": SellerKind.COMMUNITY_ENTERPRISE,
            "tax_id": valid_tax_id(n),
            "province": chiang_rai,
            **fields,
        }
        return Seller.objects.create(**values)

    return make


@pytest.fixture
def seller(make_seller):
    return make_seller(name="วิสาหกิจชุมชนกาแฟดอยตุง", tiktok_shop_handle="doitung_coffee")


@pytest.fixture
def authorization(seller, coffee):
    return GIAuthorization.objects.create(
        seller=seller,
        product=coffee,
        certificate_number="GI-AUTH-2025-00001",
        valid_from=date(2025, 1, 1),
    )


@pytest.fixture
def activity(seller, coffee):
    item = PromotionActivity.objects.create(
        kind="live",
        title="LIVE กาแฟดอยตุง",
        held_on=date(2026, 10, 1),
        url="https://www.tiktok.com/@doitung_coffee/live?session=1",
        seller=seller,
        views=1200,
        orders=35,
        gmv_thb="12250.00",
    )
    item.products.set([coffee])
    return item


def upload(client, model: str, content: bytes, name: str = "data.csv", fmt: str = "csv"):
    """Step 1 of an admin import: upload and dry-run. Returns the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse(f"admin:gi_catalog_{model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": FORMAT_INDEX[fmt]},
    )


def admin_import(client, model: str, content: bytes, name: str = "data.csv", fmt: str = "csv"):
    """Upload, and confirm when the dry run passed. Returns (dry-run response, confirm response)."""
    response = upload(client, model, content, name, fmt)
    confirm_form = response.context.get("confirm_form") if response.context else None
    if confirm_form is None:
        return response, None
    confirmed = client.post(
        reverse(f"admin:gi_catalog_{model}_process_import"), confirm_form.initial
    )
    return response, confirmed


def export(client, model: str, fmt: str = "csv", resource_class=None):
    """POST the admin's export form with every column selected."""
    from gi_catalog import resources

    resource_class = (
        resource_class
        or {
            "giproduct": resources.GIProductResource,
            "seller": resources.SellerResource,
            "giauthorization": resources.GIAuthorizationResource,
            "promotionactivity": resources.PromotionActivityResource,
            "onboardingapplication": resources.OnboardingApplicationResource,
        }[model]
    )
    prefix = resource_class.__name__.lower()
    data = {"format": FORMAT_INDEX[fmt], "resource": "0"}
    for field in resource_class().get_export_order():
        data[f"{prefix}_{field}"] = "on"
    return client.post(reverse(f"admin:gi_catalog_{model}_export"), data)


def page_text(response) -> str:
    return response.content.decode()
