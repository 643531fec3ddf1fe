"""Notice and takedown: rights, cases, their infringing items, evidence and the status log.

State changes happen only in ``takedowns.transitions`` (one table of transitions); the models hold data,
constraints and the small rules of one row.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.bulk import execute_in_order
from portal.dates import local_date
from portal.fields import WebURLField
from portal.languages import in_active_language
from portal.people import dip_staff, platform_staff
from portal.security.uploads import DOCUMENT_TYPES, EVIDENCE_TYPES, PortalFileField
from takedowns.choices import (
    BASES_NEEDING_AUTHORIZATION,
    SLA_RUNNING_STATES,
    CaseState,
    EvidenceKind,
    HolderKind,
    InfringementType,
    ItemKind,
    ItemOutcome,
    Priority,
    ReasonUse,
    ReporterBasis,
    RightType,
)
from takedowns.normalize import normalize_url

FIRST_APPEAL_DAYS = 30
SECOND_APPEAL_DAYS = 15


def normalize_handle(handle: str) -> str:
    """A platform seller handle compared case-insensitively, without the leading ``@``."""
    return (handle or "").strip().lstrip("@").strip().lower()


class RightsHolder(models.Model):
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=HolderKind.choices)
    tax_id = models.CharField(_("tax ID"), max_length=13, blank=True)
    country = models.CharField(_("country"), max_length=2, default="TH")
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    address = models.TextField(_("address"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("rights holder")
        verbose_name_plural = _("rights holders")
        indexes = [models.Index(fields=["name"], name="td_holder_name")]

    def __str__(self):
        return self.name


class ProtectedRight(models.Model):
    """A trademark, copyright, GI, design or patent that a report relies on."""

    right_type = models.CharField(_("right type"), max_length=20, choices=RightType.choices)
    name = models.CharField(_("name of the right"), max_length=300)
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    owner = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="rights", verbose_name=_("owner")
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, default="TH")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty if it does not expire.")
    )
    certificate = PortalFileField(
        _("certificate"),
        upload_to="takedowns/certificates/%Y/%m/",
        blank=True,
        file_types=DOCUMENT_TYPES,
    )
    gi_product = models.ForeignKey(
        "gi_catalog.GIProduct",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protected_rights",
        verbose_name=_("GI product"),
        help_text=_("For a geographical indication: the GI in the catalog."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["right_type", "name"]
        verbose_name = _("protected right")
        verbose_name_plural = _("protected rights")
        constraints = [
            models.UniqueConstraint(
                fields=["right_type", "jurisdiction", "registration_number"],
                condition=~models.Q(registration_number=""),
                name="td_right_registration_unique",
                violation_error_message=_("A right with this registration number already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(gi_product__isnull=True) | models.Q(right_type=RightType.GI),
                name="td_right_gi_product_only_for_gi",
                violation_error_message=_("Only a geographical indication links to a GI product."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="td_right_valid_after_start",
                violation_error_message=_("A right cannot expire before it starts."),
            ),
        ]

    def __str__(self):
        number = f" {self.registration_number}" if self.registration_number else ""
        return f"{self.get_right_type_display()}{number}: {self.name}"

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class ReasonCode(models.Model):
    """Why the platform refused or asked for more; the supervisor extends the list."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_th = models.CharField(_("Thai label"), max_length=200)
    name_en = models.CharField(_("English label"), max_length=200)
    use = models.CharField(_("used for"), max_length=20, choices=ReasonUse.choices)
    note_required = models.BooleanField(_("note required"), default=False)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")

    def __str__(self):
        return in_active_language(self.name_th, self.name_en)

    def fits(self, use: str) -> bool:
        return self.use in (ReasonUse.ANY, use)


class CaseReferenceCounter(models.Model):
    """The last case number issued in a year; incremented by an atomic UPDATE."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case reference counter")

    def __str__(self):
        return f"{self.year}: {self.last_number}"

    @classmethod
    def reserve(cls, *, year: int, count: int = 1) -> int:
        """Reserve ``count`` consecutive numbers of ``year``; returns the first. The UPDATE locks
        the year's row until the transaction ends, so concurrent callers (PostgreSQL or SQLite)
        never get the same number."""
        counter = cls.objects.filter(year=year)
        with transaction.atomic():
            if not counter.update(last_number=models.F("last_number") + count):
                try:
                    with transaction.atomic():
                        cls.objects.create(year=year, last_number=count)
                except IntegrityError:  # another transaction created the year's row first
                    counter.update(last_number=models.F("last_number") + count)
            last = counter.values_list("last_number", flat=True).get()
        return last - count + 1

    @classmethod
    def reserve_more(cls, *, year: int, count: int, last: int) -> int:
        """``reserve`` for a transaction whose earlier ``reserve`` of ``year`` gave numbers up to
        ``last``: that UPDATE locked the year's row until the transaction ends, so nobody else
        has taken a number since. The next ``count`` start at ``last + 1``, and the row's new
        value is written without waiting for an answer (``portal.bulk.execute_in_order``: an
        import's write need not wait for the previous chunk's store to end)."""
        quote = connection.ops.quote_name
        column = quote("last_number")
        execute_in_order(
            f"UPDATE {quote(cls._meta.db_table)} SET {column} = {column} + %s"
            f" WHERE {quote('year')} = %s",
            [count, year],
        )
        return last + 1

    @staticmethod
    def reference(year: int, number: int) -> str:
        """``TD-<year>-<6 digits>``."""
        return f"TD-{year}-{number:06d}"

    @classmethod
    def next_reference(cls, *, year: int | None = None) -> str:
        year = year or timezone.localdate().year
        return cls.reference(year, cls.reserve(year=year))


class TakedownCase(models.Model):
    # Unique by a constraint (td_case_reference_unique), not unique=True: on PostgreSQL that also
    # builds a second index for LIKE 'prefix%' that no query reads (a reference is searched
    # whole), and every case written paid for it.
    reference = models.CharField(_("reference"), max_length=20, editable=False)
    state = models.CharField(
        _("state"), max_length=30, choices=CaseState.choices, default=CaseState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    summary_en = models.TextField(
        _("English summary for the platform"),
        blank=True,
        help_text=_(
            "What is reported and why, in English, for the platform's staff (who do not read "
            "Thai). Required before the case is forwarded."
        ),
    )
    rights_holder = models.ForeignKey(
        RightsHolder,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("rights holder"),
    )
    right = models.ForeignKey(
        ProtectedRight, on_delete=models.PROTECT, related_name="cases", verbose_name=_("right")
    )
    infringement_type = models.CharField(
        _("infringement type"), max_length=30, choices=InfringementType.choices
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    respondent_is_creator = models.BooleanField(
        _("respondent is a creator"),
        default=False,
        help_text=_("Creators may appeal once; sellers twice."),
    )

    # Reporter: what TikTok Shop asks of a report.
    reporter_name = models.CharField(_("reporter name"), max_length=200)
    reporter_email = models.EmailField(_("reporter e-mail"))
    reporter_phone = models.CharField(_("reporter phone"), max_length=50, blank=True)
    reporter_position = models.CharField(_("reporter position"), max_length=200, blank=True)
    reporter_basis = models.CharField(
        _("reporting as"), max_length=30, choices=ReporterBasis.choices, default=ReporterBasis.OWNER
    )
    authorization_document = PortalFileField(
        _("letter of authorization or proof of ownership"),
        upload_to="takedowns/authorizations/%Y/%m/",
        blank=True,
        file_types=DOCUMENT_TYPES,
    )
    authorization_valid_from = models.DateField(
        _("authorization valid from"), null=True, blank=True
    )
    authorization_valid_until = models.DateField(
        _("authorization valid until"), null=True, blank=True
    )
    internal_note = models.TextField(_("internal note (DIP only)"), blank=True)

    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to=dip_staff,
        verbose_name=_("assigned officer"),
    )
    assigned_liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to=platform_staff,
        verbose_name=_("assigned liaison"),
    )

    # Platform fields: the only ones the TikTok liaison changes.
    ippc_ticket_id = models.CharField(_("IPPC ticket ID"), max_length=100, blank=True)
    platform_note = models.TextField(_("platform note"), blank=True)

    # Timings, stored so the dashboard aggregates in the database.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    platform_decided_at = models.DateTimeField(
        _("decided at, as the platform states"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Kept as the platform sent it; no figure counts from it."),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True, editable=False)
    paused_seconds = models.PositiveIntegerField(_("paused seconds"), default=0, editable=False)
    takedown_seconds = models.PositiveIntegerField(
        _("time to takedown (seconds)"), null=True, blank=True, editable=False
    )
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True, editable=False)
    sla_breached = models.BooleanField(_("SLA breached"), default=False, editable=False)
    sla_notified_at = models.DateTimeField(
        _("SLA alert sent at"), null=True, blank=True, editable=False
    )
    appeal_count = models.PositiveSmallIntegerField(_("appeals"), default=0, editable=False)
    first_appeal_deadline = models.DateTimeField(
        _("first appeal deadline"), null=True, blank=True, editable=False
    )
    second_appeal_deadline = models.DateTimeField(
        _("second appeal deadline"), null=True, blank=True, editable=False
    )

    # the log is read by case (id) and date: the other indexes a history copies cost every write
    history = HistoricalRecords(
        excluded_fields=["version", "updated_at"],
        no_db_index=["reference", "rights_holder", "right", "assigned_officer", "assigned_liaison"],
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("takedown case")
        verbose_name_plural = _("takedown cases")
        permissions = [
            ("submit_case", _("Can submit, review, withdraw and close takedown cases")),
            ("approve_forwarding", _("Can approve forwarding a case to the platform")),
            ("record_platform_decision", _("Can record the platform's decision on a case")),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], name="td_case_created"),
            models.Index(fields=["state", "created_at", "id"], name="td_case_state_created"),
            models.Index(fields=["priority", "created_at"], name="td_case_priority"),
            models.Index(fields=["infringement_type", "created_at"], name="td_case_inftype"),
            models.Index(fields=["forwarded_at"], name="td_case_forwarded"),
            models.Index(fields=["decided_at"], name="td_case_decided"),
            # The dashboard's removals in a period (removed_at range; only removed cases have it).
            models.Index(
                fields=["removed_at"],
                name="td_case_removed",
                condition=models.Q(removed_at__isnull=False),
            ),
            # The platform API's case list: ordered by (updated_at, id), cursor and updated_since.
            models.Index(fields=["updated_at", "id"], name="td_case_updated"),
            models.Index(fields=["ippc_ticket_id"], name="td_case_ippc"),
            models.Index(
                fields=["sla_due_at"],
                name="td_case_sla_open",
                condition=models.Q(
                    state__in=[CaseState.FORWARDED, CaseState.UNDER_PLATFORM_REVIEW]
                ),
            ),
            models.Index(
                fields=["state", "sla_breached"],
                name="td_case_sla_breached",
                condition=models.Q(sla_breached=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="td_case_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(authorization_valid_until__isnull=True)
                | models.Q(authorization_valid_from__isnull=True)
                | models.Q(authorization_valid_until__gte=models.F("authorization_valid_from")),
                name="td_case_authorization_dates",
                violation_error_message=_("The authorization cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = CaseReferenceCounter.next_reference(
                year=timezone.localtime(self.created_at).year
            )
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if (
            self.right_id
            and self.rights_holder_id
            and self.reporter_basis not in BASES_NEEDING_AUTHORIZATION
            and self.right.owner_id != self.rights_holder_id
        ):
            errors["reporter_basis"] = _(
                "The rights holder does not own this right: attach a letter of "
                "authorization or a power of attorney."
            )
        if (
            self.reporter_basis in BASES_NEEDING_AUTHORIZATION
            and not self.authorization_valid_until
        ):
            errors["authorization_valid_until"] = _(
                "A letter of authorization or power of attorney needs its validity dates."
            )
        if errors:
            raise ValidationError(errors)

    # --- read-only views of the stored timings -------------------------------------------------

    def paused_seconds_until(self, moment) -> int:
        """Pause time so far, counting an info request still open at ``moment``."""
        extra = 0
        if self.paused_since and moment > self.paused_since:
            extra = int((moment - self.paused_since).total_seconds())
        return self.paused_seconds + extra

    @property
    def time_to_takedown(self) -> timedelta | None:
        if self.takedown_seconds is None:
            return None
        return timedelta(seconds=self.takedown_seconds)

    def is_overdue(self, now=None) -> bool:
        """The clock runs (no decision, no information request) and the (pause-adjusted) SLA
        deadline has passed: the row's mark of ``takedowns.sla.overdue_cases``."""
        return (
            self.state in SLA_RUNNING_STATES
            and self.sla_due_at is not None
            and self.sla_due_at < (now or timezone.now())
        )

    @property
    def appeal_deadline(self):
        """The deadline of the appeal the seller may still make, if any."""
        if self.appeal_count == 0:
            return self.first_appeal_deadline
        if self.appeal_count == 1:
            return self.second_appeal_deadline
        return None


#: A seller handle seen in this many cases or more is a repeat infringer (admin, dashboard, API).
REPEAT_INFRINGER_MIN_CASES = 3


class PlatformSeller(models.Model):
    """A seller handle seen in reports and the number of cases it appears in (kept by
    ``takedowns.infringers``)."""

    handle = models.CharField(_("platform seller handle"), max_length=100, unique=True)
    case_count = models.PositiveIntegerField(_("cases"), default=0, db_index=True)
    last_reported_at = models.DateTimeField(_("last reported"), null=True, blank=True)

    class Meta:
        ordering = ["-case_count", "handle"]
        verbose_name = _("platform seller")
        verbose_name_plural = _("platform sellers")

    def __str__(self):
        return f"@{self.handle}"

    @property
    def is_repeat_infringer(self) -> bool:
        return self.case_count >= REPEAT_INFRINGER_MIN_CASES


@dataclass(frozen=True)
class TextLanguage:
    code: str  # the HTML ``lang`` of the text
    label: str


#: The script a listing's title is written in tells its language (the first one found, in this
#: order): Thai sellers write Thai, cross-border ones Chinese, the rest mostly English.
TITLE_SCRIPTS = (
    (re.compile(r"[\u0e00-\u0e7f]"), "th", _("Thai")),
    (re.compile(r"[\u3400-\u9fff]"), "zh", _("Chinese")),
    (re.compile(r"[A-Za-z]"), "en", _("English")),
)


class InfringingItem(models.Model):
    """One listing, LIVE, video, shop or account reported in a case, with its own outcome."""

    case = models.ForeignKey(
        TakedownCase, on_delete=models.CASCADE, related_name="items", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    url = WebURLField(_("URL"), max_length=1000)
    # Indexed in Meta (td_item_url): a field's db_index would add a prefix-LIKE copy nobody reads.
    normalized_url = models.CharField(_("normalised URL"), max_length=1000, editable=False)
    # td_item_handle_case leads with it (and td_item_handle_trgm serves parts of a handle).
    seller_handle = models.CharField(_("platform seller handle"), max_length=100, blank=True)
    seller = models.ForeignKey(
        PlatformSeller,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="items",
        verbose_name=_("platform seller"),
    )
    shop_id = models.CharField(_("platform shop ID"), max_length=50, blank=True)
    title = models.CharField(_("title on the platform"), max_length=300, blank=True)
    price_thb = models.DecimalField(
        _("price (THB)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=30, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    outcome_reason = models.ForeignKey(
        ReasonCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome reason"),
    )
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True, editable=False)
    #: Copied from the case's state: an open item "holds" its URL (unique among open items).
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords(  # read by item (id) and date, as the case's
        no_db_index=["case", "seller", "outcome_reason"]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("infringing item")
        verbose_name_plural = _("infringing items")
        # No index holds the outcome (or its time): the platform's decision updates an item in
        # place (a heap-only update, see migration 0014), without a new entry in every index.
        indexes = [
            models.Index(fields=["normalized_url"], name="td_item_url"),
            models.Index(fields=["seller_handle", "case"], name="td_item_handle_case"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_url"],
                condition=models.Q(is_open=True),
                name="td_item_open_url_unique",
                violation_error_message=_("This URL is already reported in an open case."),
            ),
        ]

    def __str__(self):
        return self.normalized_url or self.url

    def save(self, *args, **kwargs):
        self.seller_handle = normalize_handle(self.seller_handle)
        if self.url:
            self.normalized_url = normalize_url(self.url)
        if not self.seller_handle:
            self.seller = None
        elif self.seller is None or self.seller.handle != self.seller_handle:
            self.seller, _created = PlatformSeller.objects.get_or_create(handle=self.seller_handle)
        super().save(*args, **kwargs)

    def clean(self):
        self.seller_handle = normalize_handle(self.seller_handle)
        if self.url:
            try:
                self.normalized_url = normalize_url(self.url)
            except ValueError:
                raise ValidationError({"url": _("Enter a web address (https://…).")}) from None
        if self.normalized_url:
            duplicate = (
                InfringingItem.objects.filter(normalized_url=self.normalized_url, is_open=True)
                .exclude(pk=self.pk)
                .select_related("case")
                .first()
            )
            if duplicate:
                raise ValidationError(
                    {"url": DuplicateItemError.message_for(duplicate.case)}, code="duplicate"
                )

    @property
    def title_language(self) -> TextLanguage | None:
        """The original language of the listing's title, as its script shows it."""
        for script, code, label in TITLE_SCRIPTS:
            if script.search(self.title):
                return TextLanguage(code, label)
        return None


class DuplicateItemError:
    """Builds the duplicate message that links to the case already holding the URL."""

    @staticmethod
    def message_for(case):
        from django.urls import NoReverseMatch, reverse
        from django.utils.html import format_html

        try:
            url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
        except NoReverseMatch:
            return _("Duplicate: this URL is already reported in open case %(ref)s.") % {
                "ref": case.reference
            }
        return format_html(
            str(_("Duplicate: this URL is already reported in open case {}.")),
            format_html('<a href="{}">{}</a>', url, case.reference),
        )


class Evidence(models.Model):
    case = models.ForeignKey(
        TakedownCase, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("case")
    )
    item = models.ForeignKey(
        InfringingItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("item"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.SCREENSHOT
    )
    file = PortalFileField(
        _("file"), upload_to="takedowns/evidence/%Y/%m/", file_types=EVIDENCE_TYPES
    )
    original_name = models.CharField(_("original file name"), max_length=255, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)
    captured_at = models.DateTimeField(_("captured at"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["captured_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sha256"],
                name="td_evidence_once_per_case",
                violation_error_message=_("This file is already attached to the case."),
            )
        ]

    def __str__(self):
        return self.original_name or self.file.name

    def clean(self):
        if self.item_id and self.case_id and self.item.case_id != self.case_id:
            raise ValidationError(
                {"item": _("Choose one of this case's own items.")}, code="item_of_another_case"
            )


class StatusEvent(models.Model):
    """Append-only log of a case: every transition (and item decision) with actor, time, note."""

    case = models.ForeignKey(
        TakedownCase,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("case"),
        db_index=False,  # td_event_case_at (case, at) serves every lookup by case
    )
    item = models.ForeignKey(
        InfringingItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("item"),
    )
    from_state = models.CharField(_("from"), max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=30, choices=CaseState.choices)
    item_outcome = models.CharField(
        _("item outcome"), max_length=30, choices=ItemOutcome.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reported_at = models.DateTimeField(
        _("time stated by the platform"),
        null=True,
        blank=True,
        help_text=_("When the platform says it decided; the step counts from “at”."),
    )
    reason_code = models.ForeignKey(
        ReasonCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reason code"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        indexes = [models.Index(fields=["case", "at"], name="td_event_case_at")]

    def __str__(self):
        return f"{self.get_from_state_display() or '—'} → {self.get_to_state_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("StatusEvent is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("StatusEvent is append-only.")


# --- monitoring sweeps ---------------------------------------------------------------------------
# DIP's own searches of the platform. A finding becomes a draft case only through
# ``takedowns.sweeps.finding_create_case`` (the same case and item services as every other case).

#: The longest a single sweep may take, in minutes (a working day and then some).
SWEEP_MAX_MINUTES = 16 * 60


class MonitoringSweep(models.Model):
    """One officer's search of the platform: when, which surfaces, for which names, how long."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("officer"),
        help_text=_("Who searched the platform."),
    )
    swept_on = models.DateField(_("date of the sweep"))
    searched_product_search = models.BooleanField(_("product search"), default=False)
    searched_live = models.BooleanField(_("LIVE"), default=False)
    searched_video = models.BooleanField(_("videos"), default=False)
    searched_shop = models.BooleanField(_("shop pages"), default=False)
    keywords = models.TextField(
        _("keywords searched"),
        blank=True,
        help_text=_("One keyword or phrase per line. GI names go in “GI products searched”."),
    )
    gi_products = models.ManyToManyField(
        "gi_catalog.GIProduct",
        blank=True,
        related_name="monitoring_sweeps",
        verbose_name=_("GI products searched"),
    )
    minutes_spent = models.PositiveIntegerField(_("time spent (minutes)"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    SURFACE_FIELDS = ("searched_product_search", "searched_live", "searched_video", "searched_shop")

    class Meta:
        ordering = ["-swept_on", "-id"]
        verbose_name = _("monitoring sweep")
        verbose_name_plural = _("monitoring sweeps")
        indexes = [models.Index(fields=["swept_on", "id"], name="td_sweep_swept_on")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(searched_product_search=True)
                | models.Q(searched_live=True)
                | models.Q(searched_video=True)
                | models.Q(searched_shop=True),
                name="td_sweep_some_surface",
                violation_error_message=_("Tick at least one surface that was searched."),
            ),
            models.CheckConstraint(
                condition=models.Q(minutes_spent__gte=1, minutes_spent__lte=SWEEP_MAX_MINUTES),
                name="td_sweep_minutes_range",
                violation_error_message=_("The time spent must be between 1 and 960 minutes."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({local_date(self.swept_on)})"

    @property
    def reference(self) -> str:
        return f"SW-{self.pk:06d}" if self.pk else "SW-?"

    @staticmethod
    def pk_from_reference(value) -> int | None:
        """``SW-000123``, ``sw-123`` or ``123`` → 123; anything else → None."""
        text = str(value or "").strip().upper().removeprefix("SW-")
        return int(text) if text.isdigit() else None

    def clean(self):
        errors = {}
        if self.swept_on and self.swept_on > timezone.localdate():
            errors["swept_on"] = ValidationError(
                _("A sweep cannot be dated in the future."), code="future_date"
            )
        if self.minutes_spent is not None and not 1 <= self.minutes_spent <= SWEEP_MAX_MINUTES:
            errors["minutes_spent"] = ValidationError(
                _("The time spent must be between 1 and %(max)s minutes."),
                code="minutes_range",
                params={"max": SWEEP_MAX_MINUTES},
            )
        if errors:
            raise ValidationError(errors)


class SweepFinding(models.Model):
    """One infringing listing, LIVE, video or shop seen during a sweep."""

    sweep = models.ForeignKey(
        MonitoringSweep,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("sweep"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ItemKind.choices, default=ItemKind.LISTING
    )
    url = WebURLField(_("URL"), max_length=1000)
    normalized_url = models.CharField(
        _("normalised URL"), max_length=1000, editable=False, db_index=True
    )
    seller_handle = models.CharField(_("platform seller handle"), max_length=100, blank=True)
    observed = models.TextField(_("what was seen"))
    right = models.ForeignKey(
        ProtectedRight,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sweep_findings",
        verbose_name=_("right concerned"),
        help_text=_("Needed to turn the finding into a case."),
    )
    #: The draft case made from this finding: "the case came from a sweep" is one join.
    case = models.OneToOneField(
        TakedownCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="sweep_finding",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sweep", "id"]
        verbose_name = _("sweep finding")
        verbose_name_plural = _("sweep findings")
        constraints = [
            models.UniqueConstraint(
                fields=["sweep", "normalized_url"],
                name="td_finding_url_once_per_sweep",
                violation_error_message=_("This URL is already a finding of this sweep."),
            ),
        ]

    def __str__(self):
        return self.normalized_url or self.url

    def save(self, *args, **kwargs):
        self.seller_handle = normalize_handle(self.seller_handle)
        if self.url:
            self.normalized_url = normalize_url(self.url)
        super().save(*args, **kwargs)

    def clean(self):
        self.seller_handle = normalize_handle(self.seller_handle)
        if self.url:
            try:
                self.normalized_url = normalize_url(self.url)
            except ValueError:
                raise ValidationError({"url": _("Enter a web address (https://…).")}) from None
