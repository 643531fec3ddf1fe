"""The shipped register of Thai GIs: what it holds, and loading it over what officials entered."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from gi_catalog.models import GIProduct
from tests.takedowns.admin_helpers import post_data

pytestmark = pytest.mark.django_db

REGISTER = Path(__file__).resolve().parents[2] / "gi_catalog" / "data" / "thai_gi.csv"


def register_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(REGISTER.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_register_ships_187_sourced_rows():
    call_command("load_gi_register", verbosity=0)
    products = GIProduct.objects.all()
    assert products.count() == 187
    assert products.filter(origin="thai").count() == 175
    assert products.exclude(registration_number="").count() == 7
    assert products.exclude(registered_on=None).count() == 94
    assert not products.filter(source_url="").exists()
    assert products.get(registration_number="สช 66100207").name_th == "ปลาทูแม่กลอง"


def test_loading_the_register_over_the_older_list_fills_it_in_without_duplicates(tmp_path):
    older = [
        {**row, "registration_number": "", "registered_on": ""}
        for row in register_rows()
        if row["name_en"]
    ]
    call_command("load_gi_register", file=write_rows(tmp_path / "old.csv", older), verbosity=0)
    assert GIProduct.objects.exclude(registration_number="").count() == 0

    call_command("load_gi_register", verbosity=0)
    assert GIProduct.objects.count() == 187
    assert GIProduct.objects.exclude(registration_number="").count() == 7


def test_reloading_the_register_keeps_what_an_official_typed(officer, client_for):
    call_command("load_gi_register", verbosity=0)
    product = GIProduct.objects.get(registration_number="สช 66100207")
    client = client_for(officer)
    url = reverse("admin:gi_catalog_giproduct_change", args=[product.pk])
    data = post_data(
        client.get(url),
        name_en="Mae Klong mackerel",
        registered_on="2023-07-15",
        holder="Samut Songkhram provincial office",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    call_command("load_gi_register", verbosity=0)

    assert GIProduct.objects.count() == 187
    product.refresh_from_db()
    assert product.name_en == "Mae Klong mackerel"
    assert product.registered_on == date(2023, 7, 15)
    assert product.holder == "Samut Songkhram provincial office"
    # What the official left alone still follows the register.
    assert product.name_th == "ปลาทูแม่กลอง"


def test_origin_is_chosen_from_a_list_of_countries(officer, client_for):
    client = client_for(officer)
    page = client.get(reverse("admin:gi_catalog_giproduct_add"))
    options = dict(page.context["adminform"].form.fields["origin"].choices)
    assert "thai" in options
    foreign = dict(next(group for key, group in options.items() if isinstance(group, list)))
    assert "foreign:FR" in foreign and "foreign:TH" not in foreign

    data = post_data(
        page, name_th="แชมเปญ", category="beverage", origin="foreign:ZZ", provinces=None
    )
    response = client.post(reverse("admin:gi_catalog_giproduct_add"), data)
    assert response.status_code == 200
    assert "foreign:ZZ" in str(response.context["adminform"].form.errors["origin"])
    assert not GIProduct.objects.exists()

    data["origin"] = "foreign:FR"
    assert client.post(reverse("admin:gi_catalog_giproduct_add"), data).status_code == 302
    assert GIProduct.objects.get().get_origin_display() in ("France", "ฝรั่งเศส")
