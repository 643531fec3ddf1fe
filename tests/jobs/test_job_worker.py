"""A real Celery worker, fed through Redis, runs an import job to the end."""

import time

import pytest
import tablib
from celery.contrib.testing.worker import start_worker
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.celery import app
from portal.jobs.choices import JobState
from portal.jobs.models import Job
from portal.jobs.services import import_job_create
from portal.models import Target
from tests.jobs.conftest import TARGET_HEADERS, target_rows
from tests.jobs.resources import TargetImportResource

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="no CELERY_BROKER_URL configured"),
]


# All apps, listed, so that the flush after the test may TRUNCATE ... CASCADE (a third-party table,
# knox_authtoken, references auth_user without a model Django would flush).
ALL_APPS = [config.name for config in django_apps.get_app_configs()]


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
def test_a_worker_runs_an_import_job(officer, workstream):
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    raw = tablib.Dataset(*target_rows(workstream, 120), headers=list(TARGET_HEADERS))
    upload = SimpleUploadedFile("targets.csv", raw.export("csv").encode("utf-8-sig"))
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"
        ):
            job = import_job_create(
                user=officer,
                resource_class=TargetImportResource,
                upload=upload,
                file_format="csv",
            )  # autocommit: queued at once
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.finished:
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = before
    assert job.state == JobState.SUCCEEDED, job.message
    assert (job.rows_new, job.attempts) == (120, 1)
    assert Target.objects.count() == 120
    assert Job.objects.count() == 1
