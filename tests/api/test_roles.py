"""Every endpoint × every role, and no, expired and revoked tokens."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.api.models import ApiToken
from takedowns.choices import CaseState as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(case_in):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    item = case.items.get()
    return {
        "me": ("get", reverse("api:me"), None),
        "case-list": ("get", reverse("api:case-list"), None),
        "case-detail": ("get", reverse("api:case-detail", args=[case.reference]), None),
        "events": ("get", reverse("api:events"), None),
        "case-decision": (
            "post",
            reverse("api:case-decision", args=[case.reference]),
            {"decision": "removed"},
        ),
        "item-decision": (
            "post",
            reverse("api:item-decision", args=[item.pk]),
            {"outcome": "removed"},
        ),
        "schema": ("get", reverse("api:schema"), None),
    }


ENDPOINTS = ["me", "case-list", "case-detail", "events", "case-decision", "item-decision", "schema"]


def call(api, endpoint):
    method, url, body = endpoint
    if method == "post":
        return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    return api.get(url)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_liaison_token(name, endpoints, liaison_api):
    assert call(liaison_api, endpoints[name]).status_code == 200


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("role", ["officer", "supervisor", "manager", "outsider"])
def test_other_roles_tokens(name, role, endpoints, role_users, api_as):
    response = call(api_as(role_users[role]), endpoints[name])
    assert response.status_code == 403
    assert response.json()["code"] == "not_liaison"


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("token", ["none", "expired", "revoked", "garbage"])
def test_no_expired_revoked_or_garbage_token(
    name, token, endpoints, api_client, liaison, supervisor, token_for
):
    plain = token_for(liaison)
    if token == "expired":
        ApiToken.objects.update(expiry=timezone.now() - timedelta(minutes=1))
    if token == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now(), revoked_by=supervisor)
    if token == "garbage":
        plain = plain[:-4] + "0000"
    if token != "none":
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    response = call(api_client, endpoints[name])
    assert response.status_code == 401
    expected = {
        "none": "not_authenticated",
        "expired": "token_expired",
        "revoked": "token_revoked",
        "garbage": "token_invalid",
    }[token]
    assert response.json()["code"] == expected


@pytest.mark.parametrize("name", ["case-decision", "item-decision"])
def test_nothing_was_written_by_refused_callers(name, endpoints, role_users, api_as, case_in):
    from takedowns.models import StatusEvent

    before = StatusEvent.objects.count()
    for role in ("officer", "supervisor", "manager", "outsider"):
        call(api_as(role_users[role]), endpoints[name])
    assert StatusEvent.objects.count() == before
