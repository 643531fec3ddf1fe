"""Issue 24 item 6: a job whose worker died never stays "running" (nor a job whose message was
lost "queued"): a task delivered while the job's heartbeat is fresh is tried again once it is
stale, and the beat sweep queues stalled jobs again or fails them with the reason."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from portal import engine as importer_module
from portal.jobs.choices import JobPhase, JobState
from portal.jobs.models import Job
from portal.jobs.services import JobRunningElsewhere, import_job_run, jobs_recover_stalled
from portal.models import Target
from tests.jobs.conftest import target_rows
from tests.jobs.test_job_service import WorkerKilled, make_job


@pytest.fixture
def killed_job(officer, workstream, django_capture_on_commit_callbacks, monkeypatch):
    """A job whose worker died while writing: running, attempt 1, heartbeat fresh, nothing kept."""
    job = make_job(officer, target_rows(workstream, 30), django_capture_on_commit_callbacks)
    original = importer_module.FileImporter._write

    def write_then_die(self, pending):
        original(self, pending)
        raise WorkerKilled

    monkeypatch.setattr(importer_module.FileImporter, "_write", write_then_die)
    with pytest.raises(WorkerKilled):
        import_job_run(job_id=job.pk)
    monkeypatch.setattr(importer_module.FileImporter, "_write", original)
    job.refresh_from_db()
    assert (job.state, job.attempts, Target.objects.count()) == (JobState.RUNNING, 1, 0)
    return job


def silent(job, seconds):
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def test_job_stuck_running_a_task_delivered_while_the_heartbeat_is_fresh_is_retried_when_stale(
    killed_job, settings
):
    """On the old main the redelivered task logged "running elsewhere", was acknowledged, and the
    job stayed running for ever; now it is told when to try again."""
    settings.JOB_HEARTBEAT_STALE_SECONDS = 30
    silent(killed_job, 10)
    with pytest.raises(JobRunningElsewhere) as busy:
        import_job_run(job_id=killed_job.pk)
    assert 20 <= busy.value.retry_in <= 21
    silent(killed_job, 31)  # the retried task comes back once the heartbeat is stale
    job = import_job_run(job_id=killed_job.pk)
    assert (job.state, job.attempts, job.rows_new) == (JobState.SUCCEEDED, 2, 30)
    assert Target.objects.count() == 30


def test_job_stuck_running_the_sweep_queues_a_silent_job_again_and_it_runs_once(
    killed_job, settings, django_capture_on_commit_callbacks
):
    silent(killed_job, settings.JOB_HEARTBEAT_STALE_SECONDS - 5)
    assert jobs_recover_stalled() == {"failed": 0, "requeued": 0}  # maybe still alive
    silent(killed_job, settings.JOB_HEARTBEAT_STALE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert jobs_recover_stalled() == {"failed": 0, "requeued": 1}
    assert len(queued) == 1  # handed to the broker (run in place here)
    killed_job.refresh_from_db()
    assert (killed_job.state, killed_job.attempts) == (JobState.SUCCEEDED, 2)
    assert Target.objects.count() == 30


def test_job_stuck_running_after_the_last_attempt_is_failed_with_the_reason(
    killed_job, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS = 1
    silent(killed_job, settings.JOB_HEARTBEAT_STALE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert jobs_recover_stalled() == {"failed": 1, "requeued": 0}
    assert not queued
    killed_job.refresh_from_db()
    assert (killed_job.state, killed_job.phase) == (JobState.FAILED, JobPhase.DONE)
    assert "หยุดไป 1 ครั้ง" in killed_job.message and killed_job.finished_at
    # a late redelivery of its task finds it finished and does nothing
    assert import_job_run(job_id=killed_job.pk) is None and Target.objects.count() == 0


def test_job_stuck_running_a_redelivered_task_after_the_last_attempt_fails_it_too(
    killed_job, settings
):
    settings.JOB_MAX_ATTEMPTS = 1
    silent(killed_job, settings.JOB_HEARTBEAT_STALE_SECONDS + 1)
    assert import_job_run(job_id=killed_job.pk) is None
    killed_job.refresh_from_db()
    assert killed_job.state == JobState.FAILED and "หยุดไป 1 ครั้ง" in killed_job.message


def test_job_stuck_queued_a_message_lost_with_the_broker_is_sent_again(
    officer, workstream, settings, django_capture_on_commit_callbacks
):
    job = make_job(officer, target_rows(workstream, 5), django_capture_on_commit_callbacks)
    assert jobs_recover_stalled()["requeued"] == 0  # just queued: its message may be on its way
    lost_for = settings.CELERY_BROKER_VISIBILITY_TIMEOUT + 1
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=lost_for))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert jobs_recover_stalled() == {"failed": 0, "requeued": 1}
    assert len(queued) == 1
    job.refresh_from_db()
    assert (job.state, job.attempts, job.rows_new) == (JobState.SUCCEEDED, 1, 5)


def test_job_stuck_running_the_sweep_runs_every_minute_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["jobs-recover-stalled"]
    assert entry["task"] == "portal.jobs.tasks.recover_stalled_jobs"
    assert entry["schedule"] <= 60
