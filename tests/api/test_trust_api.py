"""Trust review, the platform API: cache outage, odd cursors, tokens issued once and only to a
platform-only account, and two-factor before the schema and its docs."""

import base64

import pytest
from django.urls import reverse

from takedowns.choices import CaseState as S

pytestmark = pytest.mark.django_db

LIST = reverse("api:case-list")


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-03-01T10:00:00+05:45",
        "2026-03-01T10:00:00+0530",
        "2026-03-01T10:00:00+23:59:59.999999",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "2026-03-01T10:00:00",
        "garbage",
    ],
)
def test_api_cursor_with_odd_utc_offset_is_400_json(stamp, case_in, liaison_api):
    case_in(S.FORWARDED)
    for cursor in (cursor_of(f"{stamp}|1"), cursor_of(stamp), "%%%", cursor_of(f"{stamp}|x")):
        response = liaison_api.get(LIST, {"cursor": cursor})
        assert response.status_code == 400, (stamp, cursor)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "since", ["9999-12-31T23:59:59-05:00", "2026-03-01T10:00:00+23:59", "2026-03-01T10:00+0545x"]
)
def test_api_cursor_odd_offset_in_updated_since_never_500(since, case_in, liaison_api):
    case_in(S.FORWARDED)
    response = liaison_api.get(LIST, {"updated_since": since})
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")


def test_api_cursor_written_by_the_api_still_pages(case_in, liaison_api):
    for _ in range(3):
        case_in(S.FORWARDED)
    first = liaison_api.get(LIST, {"limit": 2}).json()
    second = liaison_api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "unreachable",
    }
}


def test_api_cache_down_rate_limit_fails_open_with_a_warning(
    case_in, liaison_api, settings, caplog
):
    """Item 5: Redis unreachable: the API still answers (JSON 200) and logs that the limit was off."""
    case = case_in(S.FORWARDED)
    settings.CACHES = UNREACHABLE_REDIS
    with caplog.at_level("WARNING", logger="portal.api.throttling"):
        response = liaison_api.get(LIST)
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [case.reference]
    assert any("rate limit not applied" in r.getMessage() for r in caplog.records)


def test_api_cache_down_elsewhere_is_json_503(liaison_api, monkeypatch):
    """Item 5: any other failure of the cache (or the database) is a JSON 503, not the HTML page."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from portal.api import views

    def unreachable(user):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(views, "visible_cases", unreachable)
    response = liaison_api.get(LIST)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "30"


# --- tokens -----------------------------------------------------------------------------------

ADD = reverse("admin:api_apitoken_add")


def test_api_token_page_reload_issues_no_second_token(supervisor, liaison, client_for):
    """Item 5 (and issue 24 item 8): the token is shown in the answer to the form, with no-store;
    sending the same form again (a reload) neither issues another token nor shows this one."""
    from portal.api.models import ApiToken

    client = client_for(supervisor)
    form_id = client.get(ADD).context["adminform"].form.initial["issue_form"]
    data = {"user": liaison.pk, "name": "IPPC sync", "lifetime": "90", "issue_form": form_id}
    shown = client.post(ADD, data)
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    plain = shown.context["plain_token"]
    assert plain.startswith("mou_") and plain in shown.content.decode()
    again = client.post(ADD, data)
    assert again.status_code == 200 and plain not in again.content.decode()
    errors = again.context["adminform"].form.non_field_errors().as_data()
    assert [error.code for error in errors] == ["issue_form_used"]
    assert ApiToken.objects.count() == 1
    # the token it showed is the one stored, and it works
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert api.get(reverse("api:me")).status_code == 200


@pytest.fixture
def liaison_and_officer(liaison):
    from django.contrib.auth.models import Group

    from portal.roles import OFFICER

    liaison.groups.add(Group.objects.get(name=OFFICER))
    return liaison


def test_api_token_user_in_liaison_and_officer_groups_gets_no_token(
    liaison_and_officer, supervisor, client_for
):
    """Item 5: a user who is also DIP is not offered, and the service refuses, a token."""
    from django.core.exceptions import ValidationError

    from portal.api.models import ApiToken
    from portal.api.services import api_token_issue

    client = client_for(supervisor)
    form = client.get(ADD).context["adminform"].form
    assert liaison_and_officer not in form.fields["user"].queryset
    response = client.post(ADD, {"user": liaison_and_officer.pk, "name": "x", "lifetime": "90"})
    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    with pytest.raises(ValidationError):
        api_token_issue(user=liaison_and_officer, name="x", lifetime_days=30, issued_by=supervisor)
    assert not ApiToken.objects.exists()


def test_api_token_user_in_liaison_and_officer_groups_reads_no_drafts(liaison, token_for, case_in):
    """Item 5: a token issued while the user was liaison only stops working once they also get a
    DIP role: the API never shows them DIP's drafts."""
    from django.contrib.auth.models import Group
    from rest_framework.test import APIClient

    from portal.roles import OFFICER

    draft = case_in(S.DRAFT)
    forwarded = case_in(S.FORWARDED)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(liaison)}")
    assert [r["reference"] for r in api.get(LIST).json()["results"]] == [forwarded.reference]
    liaison.groups.add(Group.objects.get(name=OFFICER))
    for url in (LIST, reverse("api:case-detail", args=[draft.reference]), reverse("api:me")):
        response = api.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "not_liaison"
    assert draft.reference not in api.get(LIST).content.decode()


# --- two-factor before the schema and its docs ---------------------------------------------------


@pytest.mark.parametrize("name", ["api:schema", "api:docs"])
def test_api_schema_and_docs_need_two_factor_when_required(name, officer, client_for, settings):
    """Item 5: with two-factor required, the password step alone does not open them."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.PORTAL_TWO_FACTOR_REQUIRED = True
    client = client_for(officer)  # logged in, no second factor yet
    response = client.get(reverse(name))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url.startswith(reverse("admin:login"))
    else:
        assert response.json()["code"] == "not_liaison"

    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get(reverse(name)).status_code == 200
