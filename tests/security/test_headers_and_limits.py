"""Content-Security-Policy, upload size limit before parsing, friendly error pages, deploy checks."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["admin:login", "admin:portal_target_changelist"])
def test_csp_forbids_inline_and_foreign_script(client, supervisor, url):
    if url != "admin:login":
        client.force_login(supervisor)
    response = client.get(reverse(url))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_admin_pages_have_no_inline_script(client_for, supervisor):
    page = client_for(supervisor).get(reverse("admin:portal_target_add")).content.decode()

    for tag in re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S):
        assert tag.strip() == "", f"inline script: {tag[:80]}"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"


def _refuse_parse(*args, **kwargs):
    raise AssertionError("the body was parsed")


def test_oversized_upload_is_refused_before_parsing(client_for, supervisor, settings, monkeypatch):
    settings.MAX_UPLOAD_SIZE = 1024
    monkeypatch.setattr(MultiPartParser, "parse", _refuse_parse)
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("targets.csv", b"name\n" + b"x" * 4096, content_type="text/csv")
    response = client_for(supervisor).post(
        reverse("admin:portal_target_import"), {"import_file": big, "format": "0"}
    )
    assert response.status_code == 413
    assert "1024" not in response.content.decode()  # shows MB, not raw bytes
    assert "Traceback" not in response.content.decode()


def test_upload_under_the_limit_is_parsed(client_for, supervisor, settings):
    settings.MAX_UPLOAD_SIZE = 1024 * 1024
    from django.core.files.uploadedfile import SimpleUploadedFile

    small = SimpleUploadedFile("targets.csv", b"name\nx\n", content_type="text/csv")
    response = client_for(supervisor).post(
        reverse("admin:portal_target_import"), {"import_file": small, "format": "0"}
    )
    assert response.status_code == 200


def test_default_upload_limit_is_set(settings):
    assert 1024 * 1024 <= settings.MAX_UPLOAD_SIZE <= 100 * 1024 * 1024


@pytest.mark.parametrize(
    "error, status, text",
    [
        (OperationalError("server closed the connection unexpectedly"), 503, "database"),
        (RuntimeError("boom"), 500, "Something went wrong"),
    ],
)
def test_error_pages_are_friendly_and_have_no_traceback(client, monkeypatch, error, status, text):
    from django.contrib.admin.sites import AdminSite

    def explode(self, request, *args, **kwargs):
        raise error

    monkeypatch.setattr(AdminSite, "login", explode)
    client.raise_request_exception = False
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    body = response.content.decode()
    assert text in body
    assert "Traceback" not in body and "boom" not in body and "server closed" not in body
    if status == 503:
        assert response["Retry-After"] == "30"


def _settings_in(env: dict, code: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ENV", "DEBUG", "SECRET_KEY", "TWO_FACTOR_REQUIRED"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django, json; django.setup(); " + code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "portal.example.org",
}


def test_production_requires_two_factor_and_secures_everything():
    code = (
        "from django.conf import settings as s; print(json.dumps([s.PORTAL_TWO_FACTOR_REQUIRED, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT, s.AXES_ENABLED, s.AXES_COOLOFF_TIME.total_seconds() > 0]))"
    )
    result = _settings_in({**PRODUCTION, "TWO_FACTOR_REQUIRED": "false"}, code)
    assert result.returncode == 0, result.stderr
    required, secure_session, secure_csrf, hsts, redirect, axes, cooloff = json.loads(result.stdout)
    assert required is True  # cannot be switched off in production
    assert secure_session and secure_csrf and redirect and axes and cooloff
    assert hsts >= 31536000


def test_development_keeps_two_factor_optional():
    code = "from django.conf import settings as s; print(json.dumps(s.PORTAL_TWO_FACTOR_REQUIRED))"
    result = _settings_in({}, code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is False


def test_check_deploy_is_clean_with_the_security_apps():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**{k: v for k, v in os.environ.items() if k != "DEBUG"}, **PRODUCTION},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_error_page_shows_no_traceback(client_for, supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(supervisor).post(
        reverse("admin:portal_target_import"),
        {"import_file": SimpleUploadedFile("t.csv", b"id\n1\n"), "format": "0"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "name" in page  # the missing column is named
    assert "Traceback" not in page and "site-packages" not in page
