import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def resolve(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE, s.SESSION_COOKIE_SECURE]))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ENV", "DEBUG", "SECRET_KEY"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True
    )


def test_quick_start_defaults_to_sqlite_and_eager_celery():
    result = resolve({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["django.db.backends.sqlite3", true, true, "Asia/Bangkok", "th", false]'
    )


def test_environment_selects_postgresql_and_a_real_broker():
    result = resolve(
        {
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('["django.db.backends.postgresql", false, true')


def test_production_mode_is_secure():
    result = resolve(
        {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "portal.example.org"}
    )
    assert result.returncode == 0, result.stderr
    engine, eager, debug, *_, secure_cookie = json.loads(result.stdout)
    assert (debug, secure_cookie) == (False, True)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DJANGO_ENV": "production"}, "Set SECRET_KEY"),
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60, "DEBUG": "true"},
            "DEBUG must be off",
        ),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV must be"),
    ],
)
def test_bad_configuration_refuses_to_start(env, message):
    result = resolve(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_in_production():
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "portal.example.org",
    }
    # DJANGO_ALLOW_ASYNC_UNSAFE is a test-only escape hatch (browser tests); never in deployment.
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_worker_killed_job_task_is_acked_late_and_redelivered_after_a_visibility_timeout_from_env():
    """The broker keeps a job's task until it has run (a killed worker loses nothing) and gives it
    out again after the visibility timeout: 600 s by default, longer than the longest job."""
    code = (
        "import django, json; django.setup(); from portal.celery import app; "
        "from portal.jobs.tasks import run_import_job as task; "
        "print(json.dumps([app.conf.broker_transport_options['visibility_timeout'], "
        "task.acks_late, task.reject_on_worker_lost]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_VISIBILITY_TIMEOUT"}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    for override, expected in (({}, 600), ({"CELERY_BROKER_VISIBILITY_TIMEOUT": "900"}, 900)):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, **override},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [expected, True, True]
