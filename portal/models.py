from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choices import SubdivisionType, TargetMetric, WorkstreamCode
from portal.dates import local_date
from portal.languages import in_active_language


class Province(models.Model):
    """A first-level subdivision of Thailand (ISO 3166-2:TH), loaded from pycountry."""

    code = models.CharField(_("ISO code"), max_length=6, unique=True)
    name_en = models.CharField(_("English name"), max_length=100)
    name_th = models.CharField(_("Thai name"), max_length=100)
    subdivision_type = models.CharField(
        _("type"), max_length=20, choices=SubdivisionType.choices, default=SubdivisionType.PROVINCE
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return in_active_language(self.name_th, self.name_en)


class PublicHoliday(models.Model):
    """A non-working day for working-day SLAs; seeded from `holidays`, edited by supervisors."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self):
        return f"{local_date(self.date)} {self.name}"


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=300)
    parties = models.CharField(_("parties"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("signed_on")),
                name="agreement_valid_after_signing",
                violation_error_message=_("The agreement cannot end before it is signed."),
            )
        ]

    def __str__(self):
        return self.title


class Workstream(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="workstreams", verbose_name=_("agreement")
    )
    code = models.CharField(_("workstream"), max_length=30, choices=WorkstreamCode.choices)
    lead = models.CharField(_("lead"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "code"]
        verbose_name = _("workstream")
        verbose_name_plural = _("workstreams")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "code"], name="workstream_once_per_agreement"
            )
        ]

    def __str__(self):
        return self.get_code_display()


class Target(models.Model):
    """A KPI of the MOU: what is measured, the value to reach and by when."""

    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, related_name="targets", verbose_name=_("workstream")
    )
    name = models.CharField(_("KPI"), max_length=300)
    metric = models.CharField(_("metric"), max_length=40, choices=TargetMetric.choices)
    target_value = models.DecimalField(_("target value"), max_digits=16, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=50)
    period_start = models.DateField(_("counted from"))
    due_date = models.DateField(_("due date"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["workstream", "due_date"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_value__gt=0),
                name="target_value_positive",
                violation_error_message=_("The target value must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("period_start")),
                name="target_due_after_start",
                violation_error_message=_("The due date cannot be before the start of the period."),
            ),
        ]

    def __str__(self):
        return self.name
