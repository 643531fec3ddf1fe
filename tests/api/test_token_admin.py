from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from portal.api.models import ApiToken
from portal.api.services import api_token_issue

pytestmark = pytest.mark.django_db

ADD = reverse("admin:api_apitoken_add")
LIST = reverse("admin:api_apitoken_changelist")


def issue_via_admin(client, user, **extra):
    """Open the add page (which gives the form its one-time id) and send it."""
    page = client.get(ADD)
    form_id = (
        page.context["adminform"].form.initial["issue_form"] if page.status_code == 200 else ""
    )
    data = {"user": user.pk, "name": "IPPC sync", "lifetime": "90", "issue_form": form_id}
    return client.post(ADD, {**data, **extra})


def test_supervisor_issues_a_token_shown_once_and_stored_hashed(supervisor, liaison, client_for):
    client = client_for(supervisor)
    response = issue_via_admin(client, liaison)
    assert response.status_code == 200  # shown in the answer itself (see test_trust_api)
    assert "no-store" in response["Cache-Control"]
    plain = response.context["plain_token"]
    assert plain.startswith("mou_") and plain in response.content.decode()
    token = ApiToken.objects.get()
    assert token.user == liaison and token.issued_by == supervisor and token.name == "IPPC sync"
    assert plain not in (token.digest, token.token_key) and len(token.digest) == 128
    assert timedelta(days=89) < token.expiry - timezone.now() <= timedelta(days=90)
    assert token.history.get().history_user == supervisor
    # The token works for the liaison's API calls, and no page shows it again.
    change = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert plain not in change.content.decode()
    assert plain not in client.get(LIST).content.decode()


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager", "outsider"])
def test_only_liaison_accounts_may_hold_a_token(role, role_users, supervisor, client_for):
    response = issue_via_admin(client_for(supervisor), role_users[role])
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


def test_inactive_liaison_gets_no_token(supervisor, liaison, client_for):
    liaison.is_active = False
    liaison.save()
    issue_via_admin(client_for(supervisor), liaison)
    assert not ApiToken.objects.exists()


def test_service_refuses_non_liaison(officer, supervisor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        api_token_issue(user=officer, name="x", lifetime_days=30, issued_by=supervisor)
    assert refused.value.error_dict["user"][0].code == "not_liaison"


@pytest.mark.parametrize("lifetime", ["0", "9999", "abc"])
def test_bad_lifetime_is_refused(lifetime, supervisor, liaison, client_for):
    issue_via_admin(client_for(supervisor), liaison, lifetime=lifetime)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["officer", "liaison", "manager", "outsider"])
def test_other_roles_cannot_open_or_post_tokens(role, role_users, liaison, client_for):
    client = client_for(role_users[role])
    assert client.get(LIST).status_code == 403
    assert issue_via_admin(client, liaison).status_code == 403
    assert not ApiToken.objects.exists()


def test_supervisor_revokes_and_the_row_stays(supervisor, liaison, client_for):
    token, _ = api_token_issue(user=liaison, name="x", lifetime_days=30, issued_by=supervisor)
    client = client_for(supervisor)
    response = client.post(
        LIST, {"action": "revoke_tokens", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == supervisor
    assert token.history.latest().history_user == supervisor
    # No delete: the audit row stays.
    assert client.post(reverse("admin:api_apitoken_delete", args=[token.pk])).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_manager_cannot_revoke_by_crafted_post(manager, supervisor, liaison, client_for):
    token, _ = api_token_issue(user=liaison, name="x", lifetime_days=30, issued_by=supervisor)
    client_for(manager).post(LIST, {"action": "revoke_tokens", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is None


def test_change_form_changes_nothing(supervisor, liaison, officer, client_for):
    token, _ = api_token_issue(user=liaison, name="x", lifetime_days=30, issued_by=supervisor)
    client_for(supervisor).post(
        reverse("admin:api_apitoken_change", args=[token.pk]),
        {"user": officer.pk, "name": "hacked", "expiry": "2099-01-01"},
    )
    token.refresh_from_db()
    assert token.user == liaison and token.name == "x"


def test_token_list_query_count_does_not_grow(supervisor, liaison, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(supervisor)

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    api_token_issue(user=liaison, name="x", lifetime_days=30, issued_by=supervisor)
    few = count_queries()
    for _ in range(20):
        api_token_issue(user=liaison, name="x", lifetime_days=30, issued_by=supervisor)
    assert count_queries() == few


def test_the_token_list_names_its_columns_in_thai(supervisor, liaison, client_for):
    """knox has no catalogue: the token's own fields carry the names (issue 18, token labels)."""
    client = client_for(supervisor)
    issue_via_admin(client, liaison)
    headers = client.get(LIST).content.decode().split("<thead>")[1].split("</thead>")[0]
    for label in ("อักษรต้นของโทเคน", "ผู้ใช้", "ออกเมื่อ", "หมดอายุเมื่อ"):
        assert label in headers


def test_a_new_api_token_is_copied_with_one_click(supervisor, liaison, client_for):
    """Issue 25, item 7: a copy button (a static script: the CSP allows no inline one)."""
    client = client_for(supervisor)
    page = issue_via_admin(client, liaison)  # the token is shown in the answer itself
    html = page.content.decode()
    assert 'id="api-token-copy"' in html
    assert "api/copy_token.js" in html and "<script>" not in html  # a static file, no inline JS
    assert finders.find("api/copy_token.js")
    assert "onclick" not in html
