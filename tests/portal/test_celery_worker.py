import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from portal.celery import app
from portal.tasks import ping


@pytest.mark.worker
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="no CELERY_BROKER_URL configured")
def test_a_real_worker_consumes_a_task_from_the_broker():
    app.conf.task_always_eager = False
    with start_worker(
        app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"
    ):
        assert ping.delay().get(timeout=30) == "pong"


def test_quick_start_runs_tasks_eagerly(settings):
    settings.CELERY_BROKER_URL = ""
    assert ping.apply().get() == "pong"
