"""No address from any role is a server error: every admin page that names a row in its path
(change, delete, history, and the pages apps and libraries add, such as a device's QR code),
asked for a row no key can name — NUL in a text key, a number past 64 bits, a word — answers
4xx or the admin's "does not exist" redirect, and the authenticator pages never show a secret.
Before: an API token's pages with NUL were a database error (its key is text), and
django-otp's device config and QR pages raised DoesNotExist (500) for a device number that
was not there, for every role that may open the admin.
"""

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

ROLES = ("officer", "supervisor", "liaison", "manager", "superuser")
UNREADABLE_KEYS = ("a%00b", "99999999999999999999", "not-a-key")
ADMIN_PREFIX = "admin/"


def _admin_row_routes() -> list[str]:
    """Every admin route with one parameter in its path, as a pattern with ``{}`` for it."""
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                parameters = re.findall(r"<(?:\w+:)?\w+>", route)
                if route.startswith(ADMIN_PREFIX) and len(parameters) == 1:
                    routes.append("/" + route.replace(parameters[0], "{}"))

    walk(get_resolver().url_patterns, "")
    return routes


@pytest.fixture
def users(role_users, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    return {**role_users, "superuser": root}


def test_every_admin_page_naming_a_row_takes_any_key_without_a_server_error(client, users):
    routes = _admin_row_routes()
    registered = {
        f"/{ADMIN_PREFIX}{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry
    }
    assert all(any(r.startswith(prefix) for r in routes) for prefix in registered)
    failures = []
    for role in ROLES:
        client.force_login(users[role])
        for route in routes:
            if "logout" in route or "password" in route:
                continue
            for key in UNREADABLE_KEYS:
                response = client.get(route.format(key))
                if response.status_code >= 500:
                    failures.append((role, route.format(key), response.status_code))
    assert not failures, failures[:10]


@pytest.mark.parametrize("page", ["config", "qrcode"])
def test_the_admin_never_shows_an_authenticator_secret(client, users, page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=users["officer"], name="phone", confirmed=True)
    client.force_login(users["superuser"])
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{page}/").status_code == 403
    response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert response.status_code == 200 and device.key not in response.content.decode()
