"""Change pages with inlines: their query count does not grow with the rows listed."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gi_catalog.models import GIAuthorization, PromotionActivity

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def add_rows(product, make_seller, start, count):
    for i in range(start, start + count):
        seller = make_seller(name=f"ผู้ขาย {i}")
        GIAuthorization.objects.create(
            seller=seller, product=product, certificate_number=f"C-{i}", valid_from=date(2025, 1, 1)
        )
        activity = PromotionActivity.objects.create(
            kind="live",
            title=f"LIVE {i}",
            held_on=date(2026, 1, 1),
            url=f"https://www.tiktok.com/@s/live?session={i}",
            seller=seller,
            gmv_thb="1000.00",
        )
        activity.products.set([product])


def test_product_page_lists_its_sellers_and_activities_in_constant_queries(
    officer, client_for, coffee, make_seller
):
    client = client_for(officer)
    url = reverse("admin:gi_catalog_giproduct_change", args=[coffee.pk])
    add_rows(coffee, make_seller, 0, 3)
    queries(client, url)  # warm the per-process caches (content types, session)
    few, _ = queries(client, url)
    add_rows(coffee, make_seller, 3, 27)
    many, page = queries(client, url)
    assert many == few
    assert "LIVE 29" in page and "ผู้ขาย 29" in page


def test_seller_page_with_its_authorizations(officer, client_for, seller, coffee):
    client = client_for(officer)
    url = reverse("admin:gi_catalog_seller_change", args=[seller.pk])
    GIAuthorization.objects.create(
        seller=seller, product=coffee, certificate_number="C-1", valid_from=date(2025, 1, 1)
    )
    count, page = queries(client, url)
    assert "C-1" in page
    assert count < 40
