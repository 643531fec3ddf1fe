"""A real Celery worker process is killed (SIGKILL) in the middle of an import job: nothing of the
file is written, the task was not acknowledged (acks_late: the broker still holds it for
redelivery), and once the visibility timeout has passed the broker hands it to a new worker by
itself, which takes the silent job over and runs it to the end, exactly once."""

import os
import signal
import time
import uuid
from pathlib import Path

import pytest
import redis
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.jobs.choices import JobState
from portal.jobs.models import Job
from portal.jobs.services import import_job_create
from portal.models import Target
from tests.faults import workers
from tests.faults.workers import wait_for
from tests.jobs.conftest import TARGET_HEADERS, target_rows
from tests.jobs.resources import TargetImportResource

BROKER = os.environ.get("TRUST_BROKER_URL", "redis://127.0.0.1:6379/14")
ROWS = 8000  # four chunks: the import is part-way through writing for most of its time
# Short for the test (the settings' defaults are 600 s and 120 s): the broker gives an unacknowledged
# task out again after VISIBILITY seconds; a running job silent for STALE seconds may be taken over.
VISIBILITY, STALE = 3, 2

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.requires_postgres("a worker process and the test share the database"),
]


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def queue(tmp_path, settings):
    if not _redis_up():
        pytest.skip(f"no Redis at {BROKER}")
    settings.MEDIA_ROOT = tmp_path / "media"
    name = f"trust-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(BROKER)
    client.delete(name, "unacked", "unacked_index", "unacked_mutex")


def start_worker(queue, media_root, log: Path):
    env = {
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "JOB_HEARTBEAT_STALE_SECONDS": str(STALE),
    }
    return workers.start_worker(BROKER, media_root, log, env=env, args=["-P", "solo", "-Q", queue])


def send(queue, job_id):
    workers.send(BROKER, "portal.jobs.tasks.run_import_job", job_id, queue=queue)


def test_worker_killed_mid_import_is_redelivered_after_the_visibility_timeout_and_applied_once(
    workstream,
    officer,
    queue,
    tmp_path,
    settings,
    monkeypatch,
    record_fault,
):
    raw = tablib.Dataset(*target_rows(workstream, ROWS), headers=list(TARGET_HEADERS))
    upload = SimpleUploadedFile("targets.csv", raw.export("csv").encode("utf-8-sig"))
    # queue it ourselves, on this test's own queue, instead of the project's default one
    monkeypatch.setattr("portal.jobs.services.job_enqueue", lambda job: None)
    job = import_job_create(
        user=officer, resource_class=TargetImportResource, upload=upload, file_format="csv"
    )

    log = tmp_path / "worker.log"
    worker = start_worker(queue, settings.MEDIA_ROOT, log)
    try:
        send(queue, job.pk)
        # kill it while it writes: some chunks written, not all (whichever phase the next is in)
        mid_write = wait_for(
            lambda: (
                Job.objects.filter(pk=job.pk, rows_written__gt=0, rows_written__lt=ROWS).exists()
                or worker.poll() is not None
            )
        )
        assert mid_write and worker.poll() is None, log.read_text()[-2000:]
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    record_fault()

    job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.attempts == 1
    assert Target.objects.count() == 0  # the write transaction died with the worker
    held = redis.Redis.from_url(BROKER).hlen("unacked")
    assert held >= 1, "the task was acknowledged before it finished (acks_late is off?)"

    # Nobody sends the task again: a new worker, started once the visibility timeout has passed,
    # gets it back from the broker and takes over the job, whose heartbeat has gone stale.
    time.sleep(max(VISIBILITY, STALE) + 0.5)
    worker = start_worker(queue, settings.MEDIA_ROOT, log)
    try:
        assert wait_for(lambda: Job.objects.filter(pk=job.pk, finished_at__isnull=False).exists())
        job.refresh_from_db()
        assert job.state == JobState.SUCCEEDED, (job.message, log.read_text()[-2000:])
        assert (job.rows_new, job.attempts) == (ROWS, 2)
        assert Target.objects.count() == ROWS

        # a late redelivery of the killed attempt finds the job finished and changes nothing
        send(queue, job.pk)
        time.sleep(1)
        job.refresh_from_db()
        assert job.attempts == 2 and Target.objects.count() == ROWS
    finally:
        workers.stop(worker)
