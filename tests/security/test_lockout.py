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


# -- issue 24 item 3: lockout cannot deny another person's login ---------------------------------

PROXY = "10.0.0.2"  # the production TLS proxy: every request reaches the portal from it
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


def attempt_via(client, address, password, remote=PROXY, forwarded=None, token=""):
    """A login through the proxy, which appends the address it saw to X-Forwarded-For."""
    chain = ", ".join(part for part in (forwarded, address) if part)
    return client.post(
        LOGIN,
        {"username": "officer", "password": password, "otp_token": token, "next": "/admin/"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=chain,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1


def test_item3_lockout_attackers_bad_passwords_behind_the_proxy_never_stop_the_real_user(
    client, officer, settings, behind_proxy
):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        attempt_via(client, ATTACKER, "wrong")
    assert attempt_via(client, ATTACKER, "pw").status_code == 429  # the guesser is stopped
    owner = type(client)()
    assert attempt_via(owner, OWNER, "pw").status_code == 302
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_item3_lockout_a_forged_forwarded_address_is_never_read(
    client, officer, settings, behind_proxy
):
    """What the client writes into X-Forwarded-For stands left of the proxy's entry: the attacker
    can neither take the owner's address nor escape its own lockout by inventing new ones."""
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        attempt_via(client, ATTACKER, "wrong", forwarded=f"{OWNER}, 192.0.2.{n}")
    assert attempt_via(client, ATTACKER, "pw", forwarded="192.0.2.200").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert attempt_via(type(client)(), OWNER, "pw").status_code == 302


def test_item3_lockout_no_proxy_is_trusted_unless_configured(client, officer, settings):
    assert settings.PORTAL_TRUSTED_PROXY_COUNT == 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt_via(client, f"192.0.2.{n}", "wrong", remote=ATTACKER)
    assert attempt_via(client, "192.0.2.99", "pw", remote=ATTACKER).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert attempt_via(type(client)(), "", "pw", remote=OWNER).status_code == 302


def test_item3_lockout_guesses_from_many_addresses_leave_the_owner_its_second_factor(
    client, officer, settings, behind_proxy
):
    """Past the account-wide limit a password alone no longer signs in from anywhere, and a
    guesser cannot tell a right password from a wrong one; the owner's password and authenticator
    code still sign in, from an address that was never used."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.security.test_two_factor import code, wrong_code

    settings.PORTAL_ACCOUNT_FAILURE_LIMIT = 8
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    for n in range(settings.PORTAL_ACCOUNT_FAILURE_LIMIT):
        attempt_via(client, f"192.0.2.{n}", "wrong")
    fresh = "192.0.2.250"
    assert attempt_via(client, fresh, "pw").status_code == 429
    assert attempt_via(client, fresh, "wrong", token=wrong_code(device)).status_code == 429
    assert attempt_via(client, fresh, "pw", token=wrong_code(device)).status_code == 429
    # A wrong code after the right password holds the authenticator back for a second (django-otp's
    # own throttle, which only someone with the password reaches); the owner tries a moment later.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )
    owner = type(client)()
    assert attempt_via(owner, OWNER, "pw", token=code(device)).status_code == 302
    assert owner.session["_auth_user_id"] == str(officer.pk)


def test_item3_lockout_the_owner_passes_its_own_address_lock_with_the_second_factor(
    client, officer, settings
):
    """An office shares one address: a colleague's five bad passwords there do not keep the owner
    out, who signs in with the authenticator code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.security.test_two_factor import code

    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "officer", "wrong")
    assert attempt(client, "officer", "pw").status_code == 429
    response = client.post(
        LOGIN, {"username": "officer", "password": "pw", "otp_token": code(device), "next": "/"}
    )
    assert response.status_code == 302


def test_item3_lockout_page_tells_the_owner_how_to_pass(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "officer", "wrong")
    response = client.post(
        LOGIN, {"username": "officer", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "sign in with your password and its code" in page
    assert f'href="{LOGIN}"' in page
