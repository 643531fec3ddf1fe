"""Issue 24 item 6, with a real worker on a Redis of the test's own: a killed pool process and a
broker restart each leave every job finished, or running again within the visibility timeout
(a killed whole worker: test_worker_killed.py). On the old main a killed pool process left the
job "running" for ever: the task came straight back, found the job's heartbeat fresh, logged
"running elsewhere" and was acknowledged."""

import os
import signal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.jobs.choices import JobState
from portal.jobs.models import Job
from portal.jobs.services import import_job_create
from portal.models import Target
from tests.faults.workers import (
    pool_children,
    send,
    start_worker,
    stop,
    wait_for,
)
from tests.jobs.conftest import TARGET_HEADERS, target_rows
from tests.jobs.resources import TargetImportResource

ROWS = 8000  # four chunks: the import is part-way through writing for most of its time
# Short for the test (the settings' defaults are 600 s and 120 s). The visibility timeout is the
# deadline each job must meet; a job silent for STALE seconds may be taken over (longer than a
# pool process takes to come back on a loaded machine, so the task returns while it is fresh).
VISIBILITY, STALE = 40, 8
RUN_TASK = "portal.jobs.tasks.run_import_job"

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.requires_postgres("a worker process and the test share the database"),
]


@pytest.fixture
def new_job(officer, workstream, tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # queued by the test itself, to the test's own broker
    monkeypatch.setattr("portal.jobs.services.job_enqueue", lambda job: None)

    def make(rows, start=0):
        raw = tablib.Dataset(
            *target_rows(workstream, rows, start=start), headers=list(TARGET_HEADERS)
        )
        upload = SimpleUploadedFile("targets.csv", raw.export("csv").encode("utf-8-sig"))
        return import_job_create(
            user=officer, resource_class=TargetImportResource, upload=upload, file_format="csv"
        )

    return make


def worker_env(**extra):
    return {
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "JOB_HEARTBEAT_STALE_SECONDS": str(STALE),
        **extra,
    }


def writing(job, worker):
    """Wait until the job is part-way through writing (or the worker died): some chunks written,
    whichever phase the next chunk is in (the database stores a chunk while the next is
    checked)."""
    return wait_for(
        lambda: (
            Job.objects.filter(pk=job.pk, rows_written__gt=0, rows_written__lt=ROWS).exists()
            or worker.poll() is not None
        )
    )


def finished(*jobs):
    return Job.objects.filter(
        pk__in=[j.pk for j in jobs], finished_at__isnull=False
    ).count() == len(jobs)


def test_job_stuck_running_pool_process_killed_mid_import_is_run_again_and_applied_once(
    new_job, private_redis, tmp_path, settings, record_fault
):
    job = new_job(ROWS)
    log = tmp_path / "worker.log"
    worker = start_worker(
        private_redis.url,
        settings.MEDIA_ROOT,
        log,
        env=worker_env(),
        args=["-P", "prefork", "-c", "1"],
    )
    try:
        send(private_redis.url, RUN_TASK, job.pk)
        assert writing(job, worker) and worker.poll() is None, log.read_text()[-2000:]
        (child,) = pool_children(worker.pid)
        os.kill(child, signal.SIGKILL)  # the worker lives on and starts a new pool process
        record_fault()
        # the task comes back at once (reject on worker lost), waits for the dead attempt's
        # heartbeat to go stale, then takes the job over: well within the visibility timeout
        assert wait_for(lambda: finished(job), timeout=VISIBILITY), log.read_text()[-2000:]
        job.refresh_from_db()
        assert job.state == JobState.SUCCEEDED, (job.message, log.read_text()[-2000:])
        assert job.attempts >= 2 and job.rows_new == ROWS
        assert Target.objects.count() == ROWS
        assert worker.poll() is None
    finally:
        stop(worker)


def test_job_stuck_broker_restart_leaves_every_job_finished(
    new_job, private_redis, tmp_path, settings, record_fault
):
    """The broker restarts (without persistence) while one job runs and another waits in its
    queue: the running one finishes, and the waiting one, whose message was lost, is queued again
    by the beat's sweep (here every second) once the visibility timeout has passed."""
    running, waiting = new_job(ROWS), new_job(10, start=ROWS)
    log = tmp_path / "worker.log"
    env = worker_env(
        CELERY_BROKER_VISIBILITY_TIMEOUT="4",
        JOB_HEARTBEAT_STALE_SECONDS="3",
        JOB_RECOVERY_SECONDS="1",
    )
    beat = ["-B", "--scheduler", "celery.beat:PersistentScheduler", "-s", str(tmp_path / "beat")]
    worker = start_worker(
        private_redis.url, settings.MEDIA_ROOT, log, env=env, args=["-P", "solo", *beat]
    )
    try:
        send(private_redis.url, RUN_TASK, running.pk)
        send(private_redis.url, RUN_TASK, waiting.pk)
        assert writing(running, worker) and worker.poll() is None, log.read_text()[-2000:]
        assert private_redis.client().llen("celery") >= 1  # the waiting job's message
        private_redis.restart()
        record_fault()
        assert private_redis.client().llen("celery") == 0  # ... is gone

        assert wait_for(lambda: finished(running, waiting), timeout=VISIBILITY + 30), (
            log.read_text()[-2000:]
        )
        for job in (running, waiting):
            job.refresh_from_db()
            assert job.state == JobState.SUCCEEDED, (job.message, log.read_text()[-2000:])
        assert (running.rows_new, waiting.rows_new) == (ROWS, 10)
        assert Target.objects.count() == ROWS + 10
    finally:
        stop(worker)
