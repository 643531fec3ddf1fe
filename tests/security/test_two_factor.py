"""TOTP two-factor: required on the admin when PORTAL_TWO_FACTOR_REQUIRED (production), optional else."""

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
SETUP = reverse("admin:two_factor_setup")
PAGE = reverse("admin:portal_target_changelist")  # any page an officer may see


def code(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def wrong_code(device):
    right = code(device)
    return "000000" if right != "000000" else "111111"


def login(client, password="pw", token=""):
    return client.post(
        LOGIN, {"username": "officer", "password": password, "otp_token": token, "next": INDEX}
    )


@pytest.fixture
def required(settings):
    settings.PORTAL_TWO_FACTOR_REQUIRED = True


@pytest.fixture
def device(officer):
    return TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)


def test_optional_in_development_password_alone_works(client, officer, settings):
    assert settings.PORTAL_TWO_FACTOR_REQUIRED is False
    assert login(client).status_code == 302
    assert client.get(PAGE).status_code == 200


def test_force_login_works_without_a_second_factor_in_development(client_for, officer):
    assert client_for(officer).get(PAGE).status_code == 200


def test_an_enrolled_user_must_give_the_code_even_when_optional(client, device):
    response = login(client)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "otp_required"
    ]
    assert "_auth_user_id" not in client.session

    assert login(client, token=wrong_code(device)).status_code == 200
    assert "_auth_user_id" not in client.session

    # after a wrong code the device is throttled: even the right code waits
    assert login(client, token=code(device)).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()
    assert login(client, token=code(device)).status_code == 302
    assert client.get(PAGE).status_code == 200


def test_a_code_is_used_once(client, device):
    token = code(device)
    assert login(client, token=token).status_code == 302
    client.logout()
    assert login(client, token=token).status_code == 200


def test_required_refuses_a_session_without_second_factor(client_for, officer, required):
    client = client_for(officer)
    response = client.get(INDEX)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    # the login page sends a user without an authenticator to set one up
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == SETUP
    change = reverse("admin:portal_target_changelist")
    assert client.get(change).status_code == 302


def test_required_enrolment_end_to_end(client, officer, required):
    response = login(client)
    assert response.status_code == 302
    response = client.get(INDEX, follow=True)
    assert response.redirect_chain[-1][0] == SETUP
    page = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page).group(1)

    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert client.post(SETUP, {"otp_token": "12345x"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the device; don't wait for it

    response = client.post(SETUP, {"otp_token": code(device)})
    assert response.status_code == 302 and response.url == INDEX
    assert client.get(PAGE).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert base64.b32encode(device.bin_key).decode() == secret

    # next login: the code is required
    client.logout()
    assert login(client).status_code == 200
    assert login(client, token=code(device, drift=1)).status_code == 302
    assert client.get(PAGE).status_code == 200


def test_required_password_alone_cannot_replace_an_existing_device(client, device, required):
    client.force_login(device.user)
    response = client.get(SETUP)
    assert response.status_code == 302 and response.url == LOGIN
    assert client.post(SETUP, {"otp_token": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=device.user).count() == 1


def test_setup_page_refuses_anonymous_and_non_staff(client, django_user_model):
    assert client.get(SETUP).status_code == 302
    user = django_user_model.objects.create_user("plain", password="pw")
    client.force_login(user)
    assert client.get(SETUP).status_code == 302
    assert not TOTPDevice.objects.exists()


def test_superuser_can_reset_a_device_and_roles_cannot(
    client_for, device, role_users, django_user_model
):
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    for user in role_users.values():
        assert client_for(user).post(url, {"post": "yes"}).status_code == 403
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    assert client_for(root).post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.exists()


def test_the_login_form_speaks_thai(client):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "รหัสจากแอปยืนยันตัวตน" in page
