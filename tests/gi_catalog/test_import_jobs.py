"""Large files go to a background import job (portal.jobs): the catalog's keys and M2M columns hold there too."""

from datetime import date
from pathlib import Path

import pytest

from gi_catalog.models import GIProduct, PromotionActivity
from gi_catalog.resources import GIProductResource, PromotionActivityResource
from portal.engine import FileImporter
from portal.importing import CSV

pytestmark = pytest.mark.django_db

REGISTER = Path(__file__).resolve().parents[2] / "gi_catalog" / "data" / "thai_gi.csv"


def run(resource, content: bytes):
    outcome = FileImporter(resource, CSV().create_dataset(content)).run()
    assert outcome.ok, outcome.errors
    return outcome


def test_register_through_a_job_twice_gives_187_products_with_provinces():
    run(GIProductResource(), REGISTER.read_bytes())
    run(GIProductResource(), REGISTER.read_bytes())
    assert GIProduct.objects.count() == 187
    rice = GIProduct.objects.get(name_en="Thung Kula Rong Hai Hom Mali rice")
    assert rice.provinces.count() == 5


def test_activity_products_are_kept_by_a_job(seller, coffee):
    content = (
        "url,kind,title,held_on,seller_tax_id,gi_products,views,orders,gmv_thb\n"
        f"https://www.tiktok.com/@a/video/1,short_clip,คลิป,2026-10-05,{seller.tax_id},กาแฟดอยตุง,10,1,100\n"
    ).encode()
    run(PromotionActivityResource(), content)
    activity = PromotionActivity.objects.get()
    assert activity.held_on == date(2026, 10, 5)
    assert list(activity.products.all()) == [coffee]
