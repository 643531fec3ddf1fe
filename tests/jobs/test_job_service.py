"""Running a job: all rows or none, errors kept, a crash leaves nothing and can run again."""

from datetime import timedelta

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal import engine as importer_module
from portal.jobs.choices import JobState
from portal.jobs.models import Job, JobError
from portal.jobs.services import JobRunningElsewhere, import_job_create, import_job_run
from portal.models import Target
from tests.jobs.conftest import TARGET_HEADERS, target_rows
from tests.jobs.resources import TargetImportResource


def upload(rows, name="targets.csv"):
    raw = tablib.Dataset(*rows, headers=list(TARGET_HEADERS)).export("csv").encode("utf-8-sig")
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def make_job(user, rows, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        job = import_job_create(
            user=user,
            resource_class=TargetImportResource,
            upload=upload(rows),
            file_format="csv",
        )
    assert len(queued) == 1  # queued on commit, not before
    return job


def snapshot():
    return sorted(Target.objects.values_list("name", "target_value", "workstream_id"))


def test_a_good_job_writes_every_row(officer, workstream, django_capture_on_commit_callbacks):
    job = make_job(officer, target_rows(workstream, 30), django_capture_on_commit_callbacks)
    assert job.state == JobState.QUEUED
    job = import_job_run(job_id=job.pk)
    assert job.state == JobState.SUCCEEDED
    assert (job.rows_total, job.rows_new, job.rows_updated, job.error_count) == (30, 30, 0, 0)
    assert job.percent == 100 and job.finished_at and job.attempts == 1
    assert Target.objects.count() == 30
    assert Target.history.filter(history_change_reason__contains=f"#{job.pk}").count() == 30


def test_a_bad_file_fails_whole_and_keeps_row_column_reason(
    officer, workstream, django_capture_on_commit_callbacks
):
    rows = target_rows(workstream, 20)
    rows[7] = (*rows[7][:3], "many", *rows[7][4:])
    job = make_job(officer, rows, django_capture_on_commit_callbacks)
    job = import_job_run(job_id=job.pk)
    assert job.state == JobState.FAILED
    assert job.error_count == 1 and job.rows_new == 0
    assert list(JobError.objects.filter(job=job).values_list("row", "column")) == [
        (9, "target_value")
    ]
    assert Target.objects.count() == 0


def test_an_unreadable_file_fails_with_advice(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        job = import_job_create(
            user=officer,
            resource_class=TargetImportResource,
            upload=SimpleUploadedFile("t.csv", "name\nCafé\n".encode("latin-1")),
            file_format="csv",
        )
    job = import_job_run(job_id=job.pk)
    assert job.state == JobState.FAILED
    assert "CSV UTF-8" in job.message
    assert JobError.objects.get(job=job).row is None


def test_a_row_the_reader_refuses_far_down_the_file_fails_the_job_with_its_reason(
    officer, workstream, django_capture_on_commit_callbacks
):
    """The job reads its file once: a bad row far down is found as the rows are read, after
    the first chunks were checked and written; they are rolled back and the job says why."""
    rows = target_rows(workstream, 2500)
    raw = tablib.Dataset(*rows, headers=list(TARGET_HEADERS)).export("csv")
    lines = raw.splitlines(keepends=True)
    lines[2401] = lines[2401].rstrip("\r\n") + ",extra\r\n"
    with django_capture_on_commit_callbacks():
        job = import_job_create(
            user=officer,
            resource_class=TargetImportResource,
            upload=SimpleUploadedFile("targets.csv", "".join(lines).encode()),
            file_format="csv",
        )
    job = import_job_run(job_id=job.pk)
    assert job.state == JobState.FAILED
    assert "2402" in job.message  # the row, as the file numbers it (header = 1)
    assert list(JobError.objects.filter(job=job).values_list("row", "reason")) == [
        (None, job.message)
    ]
    assert Target.objects.count() == 0


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: no ``except Exception`` sees it, so nothing marks the job."""


def test_worker_killed_mid_import_is_claimed_again_only_when_silent_and_never_applied_twice(
    officer, workstream, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """A redelivered task takes the job over only once the killed worker's heartbeat is old; a
    task delivered twice while the job runs on a live worker does nothing."""
    rows = target_rows(workstream, 50)
    clean = make_job(officer, rows, django_capture_on_commit_callbacks)
    import_job_run(job_id=clean.pk)
    expected = snapshot()
    Target.objects.all().delete()

    job = make_job(officer, rows, django_capture_on_commit_callbacks)
    original = importer_module.FileImporter._write

    def write_then_die(self, pending):
        original(self, pending)
        assert Target.objects.count() == 50  # the chunk is in the database...
        raise WorkerKilled

    monkeypatch.setattr(importer_module.FileImporter, "_write", write_then_die)
    with pytest.raises(WorkerKilled):
        import_job_run(job_id=job.pk)
    assert Target.objects.count() == 0  # the write transaction rolled back
    assert Job.objects.get(pk=job.pk).state == JobState.RUNNING  # as a dead worker leaves it

    monkeypatch.setattr(importer_module.FileImporter, "_write", original)
    with pytest.raises(JobRunningElsewhere):  # its heartbeat is fresh: maybe still running
        import_job_run(job_id=job.pk)
    assert Target.objects.count() == 0 and Job.objects.get(pk=job.pk).attempts == 1

    silent_for = timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - silent_for)
    job = import_job_run(job_id=job.pk)  # the broker redelivers the task
    assert job.state == JobState.SUCCEEDED and job.attempts == 2
    assert snapshot() == expected
    assert (job.rows_new, job.error_count) == (50, 0)


def test_a_finished_job_is_not_run_twice(officer, workstream, django_capture_on_commit_callbacks):
    job = make_job(officer, target_rows(workstream, 3), django_capture_on_commit_callbacks)
    import_job_run(job_id=job.pk)
    Target.objects.all().delete()
    assert import_job_run(job_id=job.pk) is None
    assert Target.objects.count() == 0
