"""Import jobs: create one from an upload, run it in a worker, report its rows and errors."""

from __future__ import annotations

import logging
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portal.importing import CSV, XLSX, UnreadableFileError
from portal.jobs.choices import FileFormat, JobKind, JobPhase, JobState
from portal.jobs.importer import CsvFileRows, FileImporter, ImportOutcome, RowProblem
from portal.jobs.models import Job, JobError
from portal.queueing import queue_on_commit

logger = logging.getLogger(__name__)

FORMAT_CLASSES = {FileFormat.CSV: CSV, FileFormat.XLSX: XLSX}


def file_format_of(format_class) -> str | None:
    """Our FileFormat for an import-export format class, or None when jobs can't read it."""
    for value, known in FORMAT_CLASSES.items():
        if format_class is known or issubclass(format_class, known):
            return value
    return None


def import_is_large(*, upload: UploadedFile, file_format: str) -> bool:
    """True when an upload is above ``IMPORT_JOB_THRESHOLD_BYTES`` or ``..._ROWS`` (CSV)."""
    if upload.size > settings.IMPORT_JOB_THRESHOLD_BYTES:
        return True
    if file_format != FileFormat.CSV:
        return False
    lines = 0
    upload.seek(0)
    for chunk in upload.chunks():
        lines += chunk.count(b"\n")
    upload.seek(0)
    return lines - 1 > settings.IMPORT_JOB_THRESHOLD_ROWS


def import_job_create(*, user, resource_class, upload: UploadedFile, file_format: str) -> Job:
    """Keep the upload, record the job and queue it once the transaction commits."""
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
    queue_on_commit("portal.jobs.tasks.run_import_job", job.pk)
    return job


def _claim(job_id: int) -> bool:
    """Take a queued job, or one whose worker died mid-run; False if it already finished."""
    claimed = Job.objects.filter(pk=job_id, state__in=[JobState.QUEUED, JobState.RUNNING]).update(
        state=JobState.RUNNING,
        phase=JobPhase.VALIDATING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        finished_at=None,
        rows_validated=0,
        rows_written=0,
        rows_new=0,
        rows_updated=0,
        rows_skipped=0,
        error_count=0,
        message="",
    )
    if claimed:
        JobError.objects.filter(job_id=job_id).delete()  # left by an attempt that was killed
    return bool(claimed)


class _ProgressReporter:
    """Writes progress where the status page can see it, even from inside the write transaction."""

    def __init__(self, job_id: int, every: int):
        self.job_id = job_id
        self.every = every
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, phase: str, done: int) -> None:
        column = "rows_validated" if phase == JobPhase.VALIDATING else "rows_written"
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(phase=phase, **{column: done})
        elif self.side is not None:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET phase = %s, {column} = %s WHERE id = %s",
                    [phase, done, self.job_id],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_job_run(*, job_id: int) -> Job | None:
    """Run an import job to the end: all rows written, or none and a list of errors."""
    if not _claim(job_id):
        logger.info("Import job %s is already finished; nothing to do.", job_id)
        return None
    job = Job.objects.select_related("created_by").get(pk=job_id)
    reporter = _ProgressReporter(job_id, every=1)
    try:
        outcome = _import(job, reporter)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            state=JobState.FAILED,
            phase=JobPhase.DONE,
            finished_at=timezone.now(),
            message=_("The import stopped on an unexpected error; nothing was written."),
        )
        raise
    finally:
        reporter.close()
    JobError.objects.bulk_create(
        JobError(job_id=job_id, row=p.row, column=p.column[:200], reason=p.reason)
        for p in outcome.errors
    )
    fields = {
        "state": JobState.SUCCEEDED if outcome.ok else JobState.FAILED,
        "phase": JobPhase.DONE,
        "finished_at": timezone.now(),
        "rows_total": outcome.total,
        "rows_new": outcome.new if outcome.ok else 0,
        "rows_updated": outcome.updated if outcome.ok else 0,
        "rows_skipped": outcome.skipped if outcome.ok else 0,
        "error_count": outcome.error_count,
    }
    if outcome.ok:
        fields["rows_validated"] = fields["rows_written"] = outcome.total
    elif not job.message:
        fields["message"] = _("%(count)s problems found; nothing was written.") % {
            "count": outcome.error_count
        }
    Job.objects.filter(pk=job_id).update(**fields)
    job.refresh_from_db()
    return job


def _import(job: Job, reporter: _ProgressReporter) -> ImportOutcome:
    resource = import_string(job.resource)()
    with job.file.open("rb") as handle:
        try:
            if job.file_format == FileFormat.CSV:
                rows = CsvFileRows(handle)  # read a chunk at a time, not held whole
            else:
                rows = FORMAT_CLASSES[job.file_format]().create_dataset(handle.read())
        except UnreadableFileError as error:
            return _file_problem(job, str(error))
        except Exception as error:  # a broken CSV or XLSX
            return _file_problem(
                job,
                _("The file cannot be read as %(format)s: %(error)s")
                % {"format": job.get_file_format_display(), "error": error},
            )
        importer = FileImporter(
            resource,
            rows,
            user=job.created_by,
            change_reason=_("Import job #%(id)s (%(file)s)")
            % {"id": job.pk, "file": job.file_name},
            progress=reporter,
        )
        Job.objects.filter(pk=job.pk).update(rows_total=importer.outcome.total)
        return importer.run()


def _file_problem(job: Job, message: str) -> ImportOutcome:
    Job.objects.filter(pk=job.pk).update(message=message)
    job.message = message
    outcome = ImportOutcome()
    outcome.error_count = 1
    outcome.errors.append(RowProblem(None, "", message))
    return outcome
