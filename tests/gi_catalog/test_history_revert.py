"""The audit history's "revert" form must not let a read-only role write."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed_seller(seller):
    first = seller.history.earliest()
    seller.name = "ชื่อใหม่"
    seller.save()
    return seller, first


def revert_url(seller, record):
    return reverse("admin:gi_catalog_seller_simple_history", args=[seller.pk, record.history_id])


@pytest.mark.parametrize("role", ["manager", "liaison", "outsider"])
def test_read_only_roles_cannot_revert(role, role_users, client_for, renamed_seller):
    seller, first = renamed_seller
    client = client_for(role_users[role])
    response = client.post(revert_url(seller, first), {"name": first.name})
    assert response.status_code == 403
    seller.refresh_from_db()
    assert seller.name == "ชื่อใหม่"


def test_manager_may_look_at_an_old_version(manager, client_for, renamed_seller):
    seller, first = renamed_seller
    assert client_for(manager).get(revert_url(seller, first)).status_code == 200
