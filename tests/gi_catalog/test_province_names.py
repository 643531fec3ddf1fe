"""Issue 25, item 9: a province reads in the page's language, without the other name after it."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_province_name_in_the_page_language(chiang_rai):
    with translation.override("th"):
        assert str(chiang_rai) == "เชียงราย"
    with translation.override("en"):
        assert str(chiang_rai) == "Chiang Rai"


def test_province_thai_page_has_no_english_name_in_brackets(client_for, officer, coffee):
    page = client_for(officer).get(reverse("admin:gi_catalog_giproduct_change", args=[coffee.pk]))
    html = page.content.decode()
    assert "เชียงราย" in html
    assert "(Chiang Rai)" not in html
