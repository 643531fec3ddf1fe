"""Choice sets of the platform integration app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused: nothing was written")


class RowOutcome(models.TextChoices):
    CHANGED = "changed", _("Applied")
    UNCHANGED = "unchanged", _("Already recorded: nothing changed")
    ERROR = "error", _("Error")
    NOT_APPLIED = "not_applied", _("Not applied (another row has an error)")


class TokenLifetime(models.IntegerChoices):
    DAYS_30 = 30, _("30 days")
    DAYS_90 = 90, _("90 days")
    DAYS_180 = 180, _("180 days")
    DAYS_365 = 365, _("1 year")
