from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.jobs.choices import FINISHED_STATES, FileFormat, JobKind, JobPhase, JobState
from portal.security.uploads import IMPORT_TYPES, PortalFileField


class Job(models.Model):
    """A large import (or export) that a Celery worker runs for one user.

    An import validates the whole file first and then writes it in one transaction, so a failed or
    killed job leaves nothing behind and can simply run again.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    phase = models.CharField(
        _("phase"), max_length=12, choices=JobPhase.choices, default=JobPhase.WAITING
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("data")
    )
    resource = models.CharField(_("resource"), max_length=255)
    file = PortalFileField(_("file"), upload_to="jobs/%Y/%m/", blank=True, file_types=IMPORT_TYPES)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_format = models.CharField(
        _("format"), max_length=5, choices=FileFormat.choices, default=FileFormat.CSV
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_validated = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_skipped = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Written by the worker as it goes: a running job whose heartbeat is old has lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        permissions = [
            ("view_all_jobs", _("Can see every user's jobs")),
            ("manage_all_jobs", _("Can cancel and retry every user's jobs")),
        ]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="job_owner_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_written__lte=models.F("rows_total"))
                | models.Q(rows_total=0),
                name="job_written_within_total",
            )
        ]

    def __str__(self):
        return _("%(kind)s #%(id)s: %(name)s") % {
            "kind": self.get_kind_display(),
            "id": self.pk,
            "name": self.file_name or self.content_type.name,
        }

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        """Checking and writing each count for half of the bar."""
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.rows_total:
            return 0
        done = self.rows_validated + self.rows_written
        return min(100, int(100 * done / (2 * self.rows_total)))


class JobError(models.Model):
    """One problem found in a job's file: its row (1 = first data row), column and reason."""

    job = models.ForeignKey(
        Job, on_delete=models.CASCADE, related_name="errors", verbose_name=_("job")
    )
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["job", "row", "id"]
        verbose_name = _("job error")
        verbose_name_plural = _("job errors")

    def __str__(self):
        return f"{self.row or '-'} {self.column}: {self.reason}"
