"""Token authentication, role refusal and rate limiting, on the smallest endpoint."""

import time
import types
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.api.models import ApiToken
from portal.api.services import api_token_revoke

pytestmark = pytest.mark.django_db

ME = reverse("api:me")


def test_liaison_token_works(liaison, api_as):
    response = api_as(liaison).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "liaison"


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager", "outsider"])
def test_other_roles_tokens_are_refused(role, role_users, api_as):
    response = api_as(role_users[role]).get(ME)
    assert response.status_code == 403
    assert response.json()["code"] == "not_liaison"


def test_no_token(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "Token"])
def test_a_generated_clients_bearer_header_and_the_token_header_both_work(
    scheme, api_client, liaison, token_for
):
    """Issue 26, item 1: the schema's scheme is HTTP bearer; the documented `Token` still works."""
    api_client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token_for(liaison)}")
    assert api_client.get(ME).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Bearer",
        "Bearer mou_" + "0" * 64,
        "Token mou_" + "0" * 64,
        "Token ' or 1=1 --",
        "Token \u00e9\u00e9\u00e9",
    ],
)
def test_bad_tokens(header, api_client, liaison, token_for):
    token_for(liaison)
    api_client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] in {"token_invalid", "authentication_failed"}


def test_session_login_does_not_open_the_platform_api(liaison, client_for):
    assert client_for(liaison).get(ME).status_code == 401


def test_expired_token(liaison, token_for, api_client):
    plain = token_for(liaison)
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert ApiToken.objects.exists()  # kept for the audit trail (knox would delete it)


def test_revoked_token(liaison, supervisor, token_for, api_client):
    plain = token_for(liaison)
    api_token_revoke(token=ApiToken.objects.get(), revoked_by=supervisor)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_inactive_user(liaison, api_as):
    api = api_as(liaison)
    liaison.is_active = False
    liaison.save()
    assert api.get(ME).status_code == 401


def test_liaison_who_lost_the_role_is_refused(liaison, api_as):
    api = api_as(liaison)
    liaison.groups.clear()
    assert api.get(ME).status_code == 403


def test_rate_limit_per_token(liaison, api_as, settings, monkeypatch):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }
    # the limit counts per minute of the clock: the requests are kept in one minute
    in_one_minute = time.time() // 60 * 60 + 30
    monkeypatch.setattr(
        "portal.api.throttling.time", types.SimpleNamespace(time=lambda: in_one_minute)
    )
    first, second = api_as(liaison), api_as(liaison)
    assert [first.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(ME)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert second.get(ME).status_code == 200  # the other token has its own budget


def test_schema_needs_login_or_liaison_token(api_client, liaison, officer, api_as, client_for):
    url = reverse("api:schema")
    assert api_client.get(url).status_code == 401
    assert api_as(officer).get(url).status_code == 403
    response = api_as(liaison).get(url, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert client_for(officer).get(url).status_code == 200


def test_docs_page_is_served_from_our_static_files(client_for, officer, client):
    assert client.get(reverse("api:docs")).status_code == 302  # to the admin login
    page = client_for(officer).get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/static/api/docs.js" in page
    assert "<script>" not in page and "http" not in page.replace("http-equiv", "")
