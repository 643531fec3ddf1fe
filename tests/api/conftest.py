"""Fixtures of the platform API tests: tokens for any user, an API client, an isolated cache."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from portal.api.models import ApiToken
from tests.takedowns import conftest as takedown_builders


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test counts its rate limits in its own key space (the cache may be a shared Redis)."""
    caches = {name: dict(conf) for name, conf in django_settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def token_for(db):
    """`token_for(user)` returns a plain token; written directly so any role can hold one here."""

    def issue(user, *, days=30, **fields):
        _, plain = ApiToken.objects.create(user=user, expiry=timedelta(days=days), **fields)
        return plain

    return issue


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(token_for):
    """`api_as(user)` returns an APIClient that sends that user's token."""

    def client(user):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return api

    return client


# --- takedown cases, built with the takedowns tests' own builders ------------------------------

holder = takedown_builders.holder
right = takedown_builders.right
make_case = takedown_builders.make_case
walk = takedown_builders.walk


@pytest.fixture
def case_in(right, role_users):
    """`case_in(state, items=1)` returns a case walked to ``state`` by the right roles."""

    def build(state, *, items=1, **extra):
        return walk(make_case(right, items=items, **extra), state, role_users)

    return build


@pytest.fixture
def liaison_api(liaison, api_as):
    return api_as(liaison)
