"""Issue 24 item 8 and "no secret at rest": no token, password or key ever rests in the session
rows, the audit history tables, the login-attempt tables or the logs.

The test signs in with passwords, fails logins, sets up an authenticator, issues API tokens in the
admin, calls the API with a token and with a made-up one, then reads every place where something
could have stayed behind and looks for each secret value.
"""

import base64
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from portal.api.models import ApiToken, IdempotencyKey
from tests.security.test_two_factor import code

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
ADD_TOKEN = reverse("admin:api_apitoken_add")
PASSWORD = "Right-password-7QZ-2026"
WRONG_PASSWORD = "Wrong-password-7QY-2026"
MADE_UP_TOKEN = "mou_" + "7" * 64


def session_texts() -> list[str]:
    return [f"{row.session_data} {row.get_decoded()}" for row in Session.objects.all()]


def history_texts() -> list[str]:
    """Every row of every audit-history table."""
    return [
        str(row)
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and hasattr(model, "history_id")
        for row in model.objects.values()
    ]


def login_record_texts() -> list[str]:
    return [
        str(row)
        for model in (AccessAttempt, AccessLog, AccessFailureLog, IdempotencyKey)
        for row in model.objects.values()
    ]


def issue_token(client, liaison) -> str:
    form_id = client.get(ADD_TOKEN).context["adminform"].form.initial["issue_form"]
    data = {"user": liaison.pk, "name": "sync", "lifetime": "90", "issue_form": form_id}
    response = client.post(ADD_TOKEN, data)
    assert response.status_code == 200
    return response.context["plain_token"]


def test_item8_issued_api_token_never_rests_in_the_session(client, supervisor, liaison):
    """The plain token waited in the session row between issuing it and the page that showed it
    (for the session's life when that page was never opened). It is shown in the answer to the
    form, never cached, and is in no session row at any moment."""
    supervisor.set_password(PASSWORD)
    supervisor.save()
    assert client.post(LOGIN, {"username": "supervisor", "password": PASSWORD}).status_code == 302
    form_id = client.get(ADD_TOKEN).context["adminform"].form.initial["issue_form"]
    data = {"user": liaison.pk, "name": "sync", "lifetime": "90", "issue_form": form_id}
    response = client.post(ADD_TOKEN, data)
    plain = response.context["plain_token"]
    assert plain in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    digest = ApiToken.objects.get().digest
    for text in session_texts():
        assert plain not in text and digest not in text


def test_no_secret_rests_in_sessions_history_login_records_or_logs(
    client, supervisor, liaison, officer, caplog
):
    caplog.set_level(logging.DEBUG)
    for logger_name in ("axes", "django", "django.request", "knox", "rest_framework"):
        caplog.set_level(logging.DEBUG, logger=logger_name)
    for user in (supervisor, officer):
        user.set_password(PASSWORD)
        user.save()

    # Failed logins (wrong password; a password typed into the code field), then real ones.
    anonymous = type(client)()
    for _ in range(3):
        anonymous.post(LOGIN, {"username": "officer", "password": WRONG_PASSWORD})
    anonymous.post(LOGIN, {"username": "officer", "password": "x", "otp_token": WRONG_PASSWORD})
    officer_client = type(client)()
    assert (
        officer_client.post(LOGIN, {"username": "officer", "password": PASSWORD}).status_code == 302
    )

    # The officer sets up an authenticator; the supervisor signs in and issues tokens.
    officer_client.get(reverse("admin:two_factor_setup"))
    device = TOTPDevice.objects.get(user=officer)
    officer_client.post(reverse("admin:two_factor_setup"), {"otp_token": code(device)})
    assert client.post(LOGIN, {"username": "supervisor", "password": PASSWORD}).status_code == 302
    tokens = [issue_token(client, liaison) for _ in range(2)]
    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [ApiToken.objects.first().pk]},
    )

    # API calls with a good token, a revoked one and a made-up one; a decision with a body.
    for token in (*tokens, MADE_UP_TOKEN):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        api.get(reverse("api:me"))
        api.get(reverse("api:case-list"), {"updated_since": "0001-01-01T00:00:00"})
        api.post(
            reverse("api:item-decision", args=[1]),
            {"outcome": "removed", "note": token},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"k-{token[-6:]}",
        )

    device.refresh_from_db()
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "made-up token": MADE_UP_TOKEN,
        "authenticator key": device.key,
        "authenticator key (base32)": base64.b32encode(device.bin_key).decode(),
        **{f"token {n}": token for n, token in enumerate(tokens)},
    }
    # A token's SHA-512 digest is its row's key, in its table and its history alike: it names the
    # token and cannot be turned back into it. It rests nowhere else.
    digests = {f"digest {n}": token.digest for n, token in enumerate(ApiToken.objects.all())}
    places = {
        "session": session_texts(),
        "history": history_texts(),
        "login records": login_record_texts(),
        "log": [record.getMessage() for record in caplog.records]
        + [str(record.__dict__) for record in caplog.records],
    }
    assert places["history"] and places["log"] and places["session"]  # the scan reads something
    found = [
        (place, name)
        for place, texts in places.items()
        for name, secret in (secrets | (digests if place != "history" else {})).items()
        if any(secret in text for text in texts)
    ]
    assert not found, found
