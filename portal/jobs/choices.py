from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class JobPhase(models.TextChoices):
    WAITING = "waiting", _("Waiting for a worker")
    VALIDATING = "validating", _("Checking every row")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Done")


FINISHED_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})
#: A job in one of these states may be cancelled; in one of ``RETRYABLE_STATES``, run again.
UNFINISHED_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})
RETRYABLE_STATES = frozenset({JobState.FAILED, JobState.CANCELLED})


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
