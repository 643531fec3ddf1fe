import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_is_thai_by_default_and_switches_to_english(officer, client_for):
    client = client_for(officer)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'lang="th"' in page
    assert 'id="language-switch"' in page

    response = client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    page = client.get(reverse("admin:index")).content.decode()
    assert 'lang="en"' in page
    assert "DIP × TikTok Shop MOU Portal" in page


def test_login_page_offers_the_switch(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'id="language-switch"' in page


def test_thai_catalogue_translates_the_portal(officer, client_for):
    page = client_for(officer).get(reverse("admin:portal_target_changelist")).content.decode()
    assert "เป้าหมาย" in page
