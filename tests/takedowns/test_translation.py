import pytest
from django.urls import reverse

from .conftest import make_case

pytestmark = pytest.mark.django_db


def test_takedowns_admin_is_thai_by_default_and_english_for_the_switch(officer, right, client_for):
    case = make_case(right)
    client = client_for(officer)
    page = client.get(reverse("admin:takedowns_takedowncase_changelist")).content.decode()
    assert "เรื่องแจ้งนำออก" in page and "ร่าง" in page
    detail = client.get(reverse("admin:takedowns_takedowncase_change", args=[case.pk]))
    assert "ขั้นตอนถัดไป" in detail.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    page = client.get(reverse("admin:takedowns_takedowncase_changelist")).content.decode()
    assert "Takedown cases" in page or "takedown cases" in page
