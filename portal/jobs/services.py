"""Import jobs: create one from an upload, run it in a worker, report its rows and errors."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portal.engine import FileImporter, FileRows, ImportOutcome
from portal.importing import CSV, XLSX
from portal.jobs.choices import (
    RETRYABLE_STATES,
    UNFINISHED_STATES,
    FileFormat,
    JobKind,
    JobPhase,
    JobState,
)
from portal.jobs.models import Job, JobError
from portal.queueing import queue_on_commit
from portal.reading import UnreadableFileError, read_table

logger = logging.getLogger(__name__)

FORMAT_CLASSES = {FileFormat.CSV: CSV, FileFormat.XLSX: XLSX}


def file_format_of(format_class) -> str | None:
    """Our FileFormat for an import-export format class, or None when jobs can't read it."""
    for value, known in FORMAT_CLASSES.items():
        if format_class is known or issubclass(format_class, known):
            return value
    return None


def import_is_large(*, upload: UploadedFile, file_format: str) -> bool:
    """True when an upload is above ``IMPORT_JOB_THRESHOLD_BYTES`` or ``..._ROWS`` (CSV).

    Rows are counted as the import reads them: a cell may hold several lines (a case's item
    URLs, one per line, as the export writes them), so a file with more lines than the threshold
    is read to count its records. A file the reader refuses is the page's to report."""
    if upload.size > settings.IMPORT_JOB_THRESHOLD_BYTES:
        return True
    if file_format != FileFormat.CSV:
        return False
    lines = 0
    upload.seek(0)
    for chunk in upload.chunks():
        lines += chunk.count(b"\n")
    if lines - 1 <= settings.IMPORT_JOB_THRESHOLD_ROWS:  # never fewer lines than records
        upload.seek(0)
        return False
    try:
        upload.seek(0)
        rows = sum(1 for _row in read_table(upload, FileFormat.CSV))
    except UnreadableFileError:
        return False
    finally:
        upload.seek(0)
    return rows > settings.IMPORT_JOB_THRESHOLD_ROWS


def import_job_create(*, user, resource_class, upload: UploadedFile, file_format: str) -> Job:
    """Keep the upload, record the job and queue it once the transaction commits.

    When the broker cannot be reached the job is failed at once, with the reason (``job_enqueue``).
    """
    model = resource_class._meta.model
    job = Job(
        kind=JobKind.IMPORT,
        content_type=ContentType.objects.get_for_model(model),
        resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
        file_name=PurePath(upload.name).name[:255],
        file_format=file_format,
        created_by=user,
    )
    upload.seek(0)
    job.file.save(job.file_name or f"import.{file_format}", upload, save=False)
    job.save()
    job_enqueue(job)
    return job


def job_enqueue(job: Job) -> None:
    """Hand a queued job to the workers once the transaction commits; when the broker cannot be
    reached, the job is failed at once, with why."""
    queue_on_commit(
        "portal.jobs.tasks.run_import_job", job.pk, on_unavailable=lambda: _not_queued(job)
    )


def _not_queued(job: Job) -> None:
    Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.FAILED,
        phase=JobPhase.DONE,
        finished_at=timezone.now(),
        message=_(
            "The background queue cannot be reached, so the import did not start and nothing "
            "was written. Try again in a few minutes with Retry; if it fails again, tell the "
            "administrator."
        ),
    )


def job_may_manage(*, user, job: Job) -> bool:
    """Cancel or retry: the job's owner, or whoever may manage every user's jobs (supervisors)."""
    return job.created_by_id == user.pk or user.has_perm("jobs.manage_all_jobs")


def job_cancel(*, job: Job, user) -> bool:
    """Stop a queued or running job; False when it had already finished.

    A queued task finds the job cancelled and does nothing; a running import notices at its next
    heartbeat and rolls its transaction back, so nothing of the file is written.
    """
    cancelled = Job.objects.filter(pk=job.pk, state__in=UNFINISHED_STATES).update(
        state=JobState.CANCELLED,
        phase=JobPhase.DONE,
        finished_at=timezone.now(),
        message=_("Cancelled by %(user)s; nothing was written.") % {"user": user.get_username()},
    )
    return bool(cancelled)


def job_retry(*, job: Job) -> bool:
    """Queue a failed or cancelled job again from its kept file; False when it is not one."""
    with transaction.atomic():
        retried = Job.objects.filter(pk=job.pk, state__in=RETRYABLE_STATES).update(
            state=JobState.QUEUED,
            phase=JobPhase.WAITING,
            started_at=None,
            finished_at=None,
            heartbeat_at=timezone.now(),  # handed to the broker now (jobs_recover_stalled)
            **_FRESH_COUNTS,
        )
        if retried:
            JobError.objects.filter(job_id=job.pk).delete()
            job_enqueue(job)
    return bool(retried)


#: What an attempt starts from: no rows counted, no errors, no message.
_FRESH_COUNTS = {
    "rows_validated": 0,
    "rows_written": 0,
    "rows_new": 0,
    "rows_updated": 0,
    "rows_skipped": 0,
    "error_count": 0,
    "message": "",
}


class JobStopped(Exception):
    """The job was cancelled, or claimed by a later attempt, while this attempt ran."""


class JobRunningElsewhere(Exception):
    """The job is running on an attempt that wrote a heartbeat lately: maybe a live worker (the
    task was delivered twice), maybe one just killed. ``retry_in`` seconds from now its
    heartbeat is old enough to tell: the task is tried again then, never dropped."""

    def __init__(self, retry_in: float):
        super().__init__(retry_in)
        self.retry_in = retry_in


def _silent_since(now) -> Q:
    """A running job whose worker has gone silent (killed) for ``JOB_HEARTBEAT_STALE_SECONDS``."""
    stale = now - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)
    return Q(state=JobState.RUNNING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale))


def _give_up(jobs, now) -> int:
    """Fail the silent running jobs among ``jobs`` that have used up ``JOB_MAX_ATTEMPTS``."""
    return jobs.filter(_silent_since(now), attempts__gte=settings.JOB_MAX_ATTEMPTS).update(
        state=JobState.FAILED,
        phase=JobPhase.DONE,
        finished_at=now,
        message=_(
            "The worker running this import stopped %(count)s times (killed or out of memory), "
            "so it was not tried again; nothing was written. Retry it, or split the file."
        )
        % {"count": settings.JOB_MAX_ATTEMPTS},
    )


def _claim(job_id: int) -> int | None:
    """Take a queued job, or a running one whose worker has gone silent (killed): returns the
    attempt's number. None when the job is finished or cancelled, or was given up after
    ``JOB_MAX_ATTEMPTS``. Raises ``JobRunningElsewhere`` while another attempt may be alive: a
    job is never applied twice, and never left running by a dead worker."""
    now = timezone.now()
    claimed = Job.objects.filter(
        Q(state=JobState.QUEUED) | Q(_silent_since(now), attempts__lt=settings.JOB_MAX_ATTEMPTS),
        pk=job_id,
    ).update(
        state=JobState.RUNNING,
        phase=JobPhase.VALIDATING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        **_FRESH_COUNTS,
    )
    if not claimed:
        if _give_up(Job.objects.filter(pk=job_id), now):
            logger.warning("Import job %s failed: its worker stopped too often.", job_id)
        heartbeat = (
            Job.objects.filter(pk=job_id, state=JobState.RUNNING)
            .values_list("heartbeat_at", flat=True)
            .first()
        )
        if heartbeat is not None:
            stale_at = heartbeat + timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)
            raise JobRunningElsewhere(max(1.0, (stale_at - now).total_seconds() + 0.5))
        return None
    JobError.objects.filter(job_id=job_id).delete()  # left by an attempt that was killed
    return Job.objects.values_list("attempts", flat=True).get(pk=job_id)


def jobs_recover_stalled() -> dict[str, int]:
    """Beat, every minute: no job waits for ever on a worker or a message that is gone.

    - A running job silent for ``JOB_HEARTBEAT_STALE_SECONDS`` (its worker was killed and the
      broker has not handed the task out again) is queued again, or failed with the reason after
      ``JOB_MAX_ATTEMPTS``; an attempt that was only slow notices at its next heartbeat and
      rolls back, so the job is still applied once.
    - A queued job no worker has taken for ``CELERY_BROKER_VISIBILITY_TIMEOUT`` (its message was
      lost, e.g. with a broker restarted without persistence) is handed to the broker again; a
      second message for it finds the job taken and does nothing.
    """
    now = timezone.now()
    failed = _give_up(Job.objects.all(), now)
    lost_before = now - timedelta(seconds=settings.CELERY_BROKER_VISIBILITY_TIMEOUT)
    queued_long_ago = Q(state=JobState.QUEUED) & (
        Q(heartbeat_at__lt=lost_before) | Q(heartbeat_at__isnull=True, created_at__lt=lost_before)
    )
    requeued = 0
    for job in Job.objects.filter(_silent_since(now) | queued_long_ago).order_by("pk"):
        again = Job.objects.filter(
            _silent_since(now) | queued_long_ago, pk=job.pk, attempts=job.attempts
        ).update(state=JobState.QUEUED, phase=JobPhase.WAITING, heartbeat_at=now)
        if again:
            logger.warning("Import job %s had stalled (%s): queued again.", job.pk, job.state)
            job_enqueue(job)
            requeued += again
    return {"failed": failed, "requeued": requeued}


class _ProgressReporter:
    """Writes progress and the heartbeat where the status page can see them, even from inside the
    write transaction; raises ``JobStopped`` once the job is no longer this attempt's.

    The rows in the file are known once the file has been read through (it is read once); until
    then the page shows what the share of the file read so far promises (``FileRows.expected``).
    """

    def __init__(self, job_id: int, attempt: int):
        self.job_id = job_id
        self.attempt = attempt
        self.rows: FileRows | None = None  # the file being read, once it is open
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.side.cursor() as cursor:
                # a report need not wait for the disk (nor for the import's writes before it)
                cursor.execute("SET synchronous_commit TO off")

    def __call__(self, phase: str, done: int) -> None:
        column = "rows_validated" if phase == JobPhase.VALIDATING else "rows_written"
        now = timezone.now()
        # never fewer than the rows checked: a file's rows are checked before they are written
        total = max(done, self.rows.expected() if self.rows is not None else 0)
        if not connection.in_atomic_block:
            ours = self.still_ours().update(
                phase=phase, heartbeat_at=now, rows_total=total, **{column: done}
            )
        elif self.side is not None:  # the transaction's own writes are seen by nobody else
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET phase = %s, {column} = %s,"
                    " rows_total = %s, heartbeat_at = %s"
                    " WHERE id = %s AND state = %s AND attempts = %s",
                    [phase, done, total, now, self.job_id, JobState.RUNNING, self.attempt],
                )
                updated = cursor.rowcount  # read before the cursor closes (then it is -1)
            # the side connection sees a cancel committed meanwhile; a job not yet committed
            # (created in this transaction) is looked for in the transaction itself
            ours = updated == 1 or self.still_ours().exists()
        else:
            ours = self.still_ours().exists()
        if not ours:
            raise JobStopped

    def still_ours(self):
        """The job, as a queryset, for as long as it is running this attempt."""
        return Job.objects.filter(pk=self.job_id, state=JobState.RUNNING, attempts=self.attempt)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_job_run(*, job_id: int) -> Job | None:
    """Run an import job to the end: all rows written, or none and a list of errors.

    The rows and the job's final state are written in one transaction: a cancel that comes first
    rolls the rows back, one that comes after finds the job finished.
    """
    attempt = _claim(job_id)
    if attempt is None:
        logger.info("Import job %s is finished or cancelled: nothing to do.", job_id)
        return None
    job = Job.objects.select_related("created_by").get(pk=job_id)
    reporter = _ProgressReporter(job_id, attempt)
    try:
        _import(job, reporter)
    except JobStopped:
        logger.info("Import job %s attempt %s stopped: cancelled or taken over.", job_id, attempt)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        reporter.still_ours().update(
            state=JobState.FAILED,
            phase=JobPhase.DONE,
            finished_at=timezone.now(),
            message=_("The import stopped on an unexpected error; nothing was written."),
        )
        raise
    finally:
        reporter.close()
    job.refresh_from_db()
    return job


def _finish(reporter: _ProgressReporter, outcome: ImportOutcome) -> bool:
    """Record the outcome if the job is still this attempt's; False (write nothing) otherwise.
    The job's message is why its file could not be read, else how many problems it has."""
    fields = {
        "state": JobState.SUCCEEDED if outcome.ok else JobState.FAILED,
        "phase": JobPhase.DONE,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
        "rows_total": outcome.total,
        "rows_new": outcome.new if outcome.ok else 0,
        "rows_updated": outcome.updated if outcome.ok else 0,
        "rows_skipped": outcome.skipped if outcome.ok else 0,
        "error_count": outcome.error_count,
    }
    if outcome.ok:
        fields["rows_validated"] = fields["rows_written"] = outcome.total
    else:
        fields["message"] = outcome.unreadable or _(
            "%(count)s problems found; nothing was written."
        ) % {"count": outcome.error_count}
    if not reporter.still_ours().update(**fields):  # takes the job's row lock until commit
        return False
    JobError.objects.bulk_create(
        JobError(job_id=reporter.job_id, row=p.row, column=p.column[:200], reason=p.reason)
        for p in outcome.errors
    )
    return True


def _import(job: Job, reporter: _ProgressReporter) -> None:
    resource = import_string(job.resource)()
    with job.file.open("rb") as handle:
        try:
            rows = FileRows(handle, job.file_format)  # read a chunk at a time, not held whole
        except UnreadableFileError as error:
            _finish(reporter, ImportOutcome.of_unreadable_file(str(error)))
            return
        except Exception as error:  # a broken CSV or XLSX
            message = _("The file cannot be read as %(format)s: %(error)s") % {
                "format": job.get_file_format_display(),
                "error": error,
            }
            _finish(reporter, ImportOutcome.of_unreadable_file(message))
            return
        importer = FileImporter(
            resource,
            rows,
            user=job.created_by,
            change_reason=_("Import job #%(id)s (%(file)s)")
            % {"id": job.pk, "file": job.file_name},
            progress=reporter,
            file_name=job.file_name,
        )
        reporter.rows = rows
        with transaction.atomic():
            outcome = importer.run()
            if not _finish(reporter, outcome):
                transaction.set_rollback(True)  # cancelled meanwhile: none of the rows stay
