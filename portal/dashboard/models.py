import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.dashboard.choices import ReportFormat, ReportStatus


class SnapshotScope(models.TextChoices):
    FULL = "full", _("Everything (DIP and managers)")
    PLATFORM = "platform", _("Forwarded cases only (TikTok liaison)")


class Snapshot(models.Model):
    """The dashboard's figures for the whole MOU as computed at ``taken_at``; one row per day and
    scope (the latest of the day wins), so the rows kept over time give the trend lines."""

    day = models.DateField(_("day"))
    scope = models.CharField(_("scope"), max_length=20, choices=SnapshotScope.choices)
    taken_at = models.DateTimeField(_("computed at"))
    figures = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        default_permissions = ("view",)
        permissions = [
            ("view_dashboard", _("Can see the whole MOU dashboard and download its reports")),
            (
                "view_takedown_dashboard",
                _("Can see the takedown part of the dashboard and download it"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["day", "scope"], name="snapshot_once_per_day_and_scope")
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.scope}"


class ReportJob(models.Model):
    """A report too large to stream at once: built by a Celery task, downloaded by its owner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dashboard_reports",
        verbose_name=_("requested by"),
    )
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    scope = models.JSONField(_("filters"), encoder=DjangoJSONEncoder)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    # Kept in the database so that the web and worker hosts need no shared disk.
    content = models.BinaryField(_("content"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_at_most_100"
            )
        ]

    def __str__(self):
        return self.filename or str(self.id)
