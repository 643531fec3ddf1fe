"""django-axes: repeated failed logins lock the account, the cool-off and an admin delete unlock it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_five_failures_lock_the_account_even_with_the_right_password(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "officer", "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = attempt(client, "officer", "wrong")
    assert response.status_code == 429
    assert "security/lockout.html" in [t.name for t in response.templates]

    response = attempt(client, "officer", "pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "officer", "wrong")
    assert attempt(client, "officer", "pw").status_code == 302
    client.logout()
    assert attempt(client, "officer", "wrong").status_code == 200
    assert not AccessAttempt.objects.filter(failures_since_start__gte=2).exists()


def test_lockout_is_per_username_and_address(client, officer, supervisor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "officer", "wrong")
    assert attempt(client, "supervisor", "pw").status_code == 302


def test_the_cool_off_unlocks(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "officer", "wrong")
    assert attempt(client, "officer", "pw").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert attempt(client, "officer", "pw").status_code == 302


def test_a_superuser_unlocks_in_the_admin(client, officer, settings, django_user_model):
    assert (
        timedelta(minutes=1) <= settings.AXES_COOLOFF_TIME
    )  # a default that never unlocks is a bug
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "officer", "wrong")
    locked = AccessAttempt.objects.get(username="officer")

    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    admin_client = type(client)()
    admin_client.force_login(root)
    url = reverse("admin:axes_accessattempt_delete", args=[locked.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()

    assert attempt(client, "officer", "pw").status_code == 302


@pytest.mark.parametrize("role", ["officer", "supervisor", "liaison", "manager"])
def test_roles_cannot_unlock(client_for, role_users, role):
    url = reverse("admin:axes_accessattempt_changelist")
    assert client_for(role_users[role]).get(url).status_code == 403


def test_force_login_and_authenticate_without_a_request_are_not_locked(client, officer, settings):
    from django.contrib.auth import authenticate

    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "officer", "wrong")
    assert authenticate(username="officer", password="pw") == officer
    client.force_login(officer)
    assert client.get(reverse("admin:portal_target_changelist")).status_code == 200
