"""Item 3 of the trust review: a GI product's source URLs are web addresses (http/https) only,
in the admin form, in imports and in the model; a stored one of another kind is never a link."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gi_catalog.models import GIProduct
from tests.gi_catalog.conftest import admin_import

pytestmark = pytest.mark.django_db

BAD_URLS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]
HEADER = "registration_number,name_th,name_en,category,province_codes,province_names_en,origin,registered_on,source_url\n"


@pytest.mark.parametrize("bad", BAD_URLS)
def test_source_url_javascript_refused_by_the_model(bad):
    product = GIProduct(
        name_th="ทดสอบ",
        category="agricultural",
        origin="thai",
        source_url=f"https://a.th/x | {bad}",
    )
    with pytest.raises(ValidationError) as refused:
        product.full_clean()
    assert "source_url" in refused.value.message_dict


@pytest.mark.parametrize("bad", BAD_URLS)
def test_source_url_javascript_refused_by_the_admin_form(bad, officer, client_for):
    response = client_for(officer).post(
        reverse("admin:gi_catalog_giproduct_add"),
        {
            "name_th": "สินค้าทดสอบ",
            "category": "agricultural",
            "origin": "thai",
            "source_url": bad,
            "registered_on_precision": "day",
            **{
                f"{prefix}-{key}": value
                for prefix in ("authorizations", "activities")
                for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 200
    assert "source_url" in response.context["adminform"].form.errors
    assert not GIProduct.objects.exists()


@pytest.mark.parametrize("bad", BAD_URLS)
def test_source_url_javascript_refused_by_the_import(bad, officer, client_for):
    data = (HEADER + f',ทดสอบ,Test GI,agricultural,TH-45,Roi Et,thai,2006,"{bad}"\n').encode()
    dry, confirmed = admin_import(client_for(officer), "giproduct", data, "gi.csv")
    assert confirmed is None
    assert bad in dry.content.decode()  # the row's error names the refused address
    assert not GIProduct.objects.exists()


def test_source_url_stored_javascript_is_not_rendered_as_a_link(officer, client_for):
    product = GIProduct.objects.create(
        name_th="ทดสอบ",
        category="agricultural",
        origin="thai",
        source_url="javascript:alert(1) | https://example.org/gi",
    )
    page = client_for(officer).get(reverse("admin:gi_catalog_giproduct_change", args=[product.pk]))
    html = page.content.decode()
    assert 'href="javascript:' not in html.lower()
    assert '<a href="https://example.org/gi"' in html
