import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_catalog_admin_is_thai_and_switches_to_english(officer, client_for, seller):
    client = client_for(officer)
    url = reverse("admin:gi_catalog_onboardingapplication_changelist")
    page = client.get(url).content.decode()
    assert "คำขอเข้าร่วม TikTok Shop" in page
    assert "บันทึกว่าตรวจเอกสารแล้ว" in page  # an action
    assert "เหตุผล (กรณีไม่อนุมัติ)" in page  # the action form's reason field
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    page = client.get(url).content.decode()
    assert "onboarding applications" in page.lower()
    assert "Mark documents as verified" in page


def test_tax_id_error_is_thai(officer, client_for):
    from gi_catalog.models import Seller

    client = client_for(officer)
    response = client.post(
        reverse("admin:gi_catalog_seller_add"),
        {
            "name": "x",
            "kind": "producer",
            "tax_id": "1234567890122",
            "authorizations-TOTAL_FORMS": "0",
            "authorizations-INITIAL_FORMS": "0",
            "onboarding_applications-TOTAL_FORMS": "0",
            "onboarding_applications-INITIAL_FORMS": "0",
        },
    )
    assert "เลขตรวจสอบ" in response.content.decode()
    assert not Seller.objects.exists()
