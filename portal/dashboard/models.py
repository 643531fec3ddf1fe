import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.dashboard.choices import ReportFormat, ReportStatus
from portal.dates import local_datetime
from takedowns.choices import CaseState


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
            ("recompute_dashboard", _("Can have the dashboard's figures recomputed at once")),
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


class CaseDay(models.Model):
    """Takedown cases counted per local day, for the dashboard's figures over any period.

    Each column counts the cases whose own moment fell on ``day`` (created, forwarded, decided,
    removed), split by the case's state now, whether the TikTok liaison sees it and whether it came
    from a monitoring sweep. A period's figure is then a sum over at most a few thousand rows
    instead of an aggregate over every case. ``services.case_days_refresh`` rebuilds the table
    (the beat task, every 10 minutes, with the snapshots); the page shows when that was.
    """

    day = models.DateField(_("day"))
    state = models.CharField(_("state"), max_length=30, choices=CaseState.choices)
    platform_visible = models.BooleanField(_("seen by the platform"))
    from_sweep = models.BooleanField(_("from a monitoring sweep"))
    created = models.PositiveIntegerField(_("created"), default=0)
    forwarded = models.PositiveIntegerField(_("forwarded"), default=0)
    decided = models.PositiveIntegerField(_("decided"), default=0)
    decided_removed = models.PositiveIntegerField(_("decided: removed"), default=0)
    decided_24h = models.PositiveIntegerField(_("decided within 24 hours"), default=0)
    decided_3wd = models.PositiveIntegerField(_("decided within 3 working days"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    reinstated = models.PositiveIntegerField(_("removed, then reinstated"), default=0)

    class Meta:
        verbose_name = _("cases per day")
        verbose_name_plural = _("cases per day")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["day", "state", "platform_visible", "from_sweep"], name="case_day_once"
            )
        ]
        indexes = [models.Index(fields=["day"], name="case_day_day")]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.state}"


class CaseDayRefresh(models.Model):
    """When ``CaseDay`` was last rebuilt (one row), and what was computed with it."""

    refreshed_at = models.DateTimeField(_("computed at"))
    #: Top repeat infringers among the cases the liaison sees (the whole MOU).
    platform_repeat_infringers = models.JSONField(default=list, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("cases per day: last refresh")
        default_permissions = ()

    def __str__(self):
        return local_datetime(self.refreshed_at)
