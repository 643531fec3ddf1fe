from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords

from portal.api.choices import UploadStatus
from portal.dates import local_datetime


class ApiToken(AbstractAuthToken):
    """A knox token: only its SHA-512 digest is stored; the token itself is shown once, at issue."""

    # knox's fields as knox declares them, with names people can read (knox has no catalogue).
    token_key = models.CharField(_("token start"), max_length=25, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="auth_token_set",
        on_delete=models.CASCADE,
    )
    created = models.DateTimeField(_("issued at"), auto_now_add=True)
    expiry = models.DateTimeField(_("expires at"), null=True, blank=True)
    name = models.CharField(_("purpose"), max_length=100, help_text=_("e.g. “IPPC case sync”"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class IdempotencyKey(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key``; a retry gets it back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "key"), name="api_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class DecisionUpload(models.Model):
    """One decision sheet a liaison uploaded, with the outcome of every row."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=UploadStatus.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    changed_count = models.PositiveIntegerField(_("rows applied"), default=0)
    unchanged_count = models.PositiveIntegerField(_("rows already recorded"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    #: [{"row": 1, "reference": "...", "item_url": "...", "decision": "...", "outcome": "...",
    #:   "errors": [{"column": "...", "message": "..."}]}, ...]
    results = models.JSONField(_("row results"), default=list, blank=True)

    class Meta:
        verbose_name = _("decision upload")
        verbose_name_plural = _("decision uploads")
        ordering = ("-uploaded_at", "-pk")

    def __str__(self) -> str:
        return f"{self.file_name} ({local_datetime(self.uploaded_at)})"
