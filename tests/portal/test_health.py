"""Item 17.4: /health/ answers, without login, whether the database, the cache and the broker work."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
URL = "/health/"
# Nothing listens on port 1: a connection there is refused at once, as when the service is down.
DOWN = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


def _expected_checks(**failing):
    checks = {"database": "ok", "cache": "ok"}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = "ok"
    return {**checks, **failing}


def test_health_is_ok_without_login(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": _expected_checks()}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_database_fails_and_tells_nothing_of_why(client, monkeypatch):
    secret = 'connection to server at "10.1.2.3", port 5432 failed: password for user "portal"'

    def refuse(*args, **kwargs):
        raise OperationalError(secret)

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": _expected_checks(database="failing")}
    body = response.content.decode()
    assert "10.1.2.3" not in body and "portal" not in body and "password" not in body


def test_health_is_503_when_the_cache_is_down(client):
    redis_down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN}
    with override_settings(CACHES={"default": redis_down}):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": _expected_checks(cache="failing")}


def test_health_is_503_when_the_broker_is_down(client):
    with override_settings(CELERY_BROKER_URL=DOWN):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "failing"
    assert response.json()["status"] == "failing"


def test_health_without_a_broker_checks_none(client):
    """The quick start runs tasks eagerly: no broker to check, and that is healthy."""
    with override_settings(CELERY_BROKER_URL=""):
        response = client.get(URL)
    assert response.status_code == 200
    assert "broker" not in response.json()["checks"]


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="no CELERY_BROKER_URL configured")
def test_health_checks_the_configured_broker(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_health_only_reads(client):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200


def test_health_is_not_redirected_to_https_in_production(client):
    """The container's health check speaks plain HTTP behind the TLS proxy: no redirect for it."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"SECURE_SSL_REDIRECT", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_ENV="production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    redirect, exempt = json.loads(result.stdout)
    assert redirect is True
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get(URL).status_code == 200
        assert client.get("/admin/login/").status_code == 301
