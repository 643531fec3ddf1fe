"""The 403 page says whose account was refused and offers a way back; the favicon is served."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_forbidden_page_is_friendly_with_a_way_back(liaison, client_for):
    client = client_for(liaison)
    back = "http://testserver" + reverse("admin:index")
    response = client.get(reverse("admin:portal_target_add"), HTTP_REFERER=back)
    assert response.status_code == 403
    body = response.content.decode()
    assert "liaison" in body
    assert f'href="{back}"' in body
    assert 'href="/admin/"' in body


def test_forbidden_page_never_links_back_to_another_site(liaison, client_for):
    response = client_for(liaison).get(
        reverse("admin:portal_target_add"), HTTP_REFERER="https://evil.example/phish"
    )
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


def test_forbidden_page_is_thai_for_dip_roles(manager, client_for):
    response = client_for(manager).get(reverse("admin:portal_target_add"))
    assert response.status_code == 403
    body = response.content.decode()
    assert 'lang="th"' in body
    assert "You cannot open this page" not in body


def test_favicon_is_served(client, officer, client_for):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert finders.find("portal/favicon.svg")
    page = client_for(officer).get(reverse("admin:index")).content.decode()
    assert 'rel="icon"' in page
