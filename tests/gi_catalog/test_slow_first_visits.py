"""Issue 25, item 10 "Slow first visits": the seller import's preview looks each province up
once per file, not once per row (queries counted through the admin's import view)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gi_catalog.models import Seller
from tests.gi_catalog.conftest import admin_import, upload, valid_tax_id

pytestmark = pytest.mark.django_db

HEADER = "tax_id,name,kind,province_code,tiktok_shop_handle\n"


def sellers_file(count: int) -> bytes:
    provinces = ["TH-57", "TH-50"]
    rows = "".join(
        f"{valid_tax_id(n)},ร้าน {n},producer,{provinces[n % 2]},shop{n}\n"
        for n in range(1, count + 1)
    )
    return (HEADER + rows).encode()


def test_slow_first_visits_seller_import_preview_looks_each_province_up_once(officer, client_for):
    with CaptureQueriesContext(connection) as queries:
        response = upload(client_for(officer), "seller", sellers_file(60))
    assert response.context["confirm_form"] is not None
    lookups = [
        q["sql"] for q in queries.captured_queries if '"portal_province"."code" =' in q["sql"]
    ]
    assert len(lookups) == 2  # one per province named in the file


def test_slow_first_visits_seller_import_still_refuses_an_unknown_province(officer, client_for):
    content = sellers_file(3) + f"{valid_tax_id(9)},ร้าน 9,producer,TH-99,shop9\n".encode()
    response, confirmed = admin_import(client_for(officer), "seller", content)
    assert confirmed is None
    assert "TH-99" in response.content.decode()
    assert not Seller.objects.exists()


def test_slow_first_visits_confirmed_seller_import_keeps_the_provinces(officer, client_for):
    _, confirmed = admin_import(client_for(officer), "seller", sellers_file(4))
    assert confirmed.status_code == 302
    assert sorted(Seller.objects.values_list("province__code", flat=True)) == [
        "TH-50",
        "TH-50",
        "TH-57",
        "TH-57",
    ]
