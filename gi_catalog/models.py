from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gi_catalog.choices import (
    CLOSED_ONBOARDING_STATUSES,
    THAI_ORIGIN,
    ActivityKind,
    DatePrecision,
    GICategory,
    OnboardingStatus,
    SellerKind,
    origin_choices,
)
from gi_catalog.validators import compact_tax_id, validate_thai_tax_id
from portal.fields import WebURLField
from portal.models import Province
from portal.validators import validate_web_url


class GIProduct(models.Model):
    """A Geographical Indication registered in Thailand (Thai or foreign)."""

    registration_number = models.CharField(
        _("registration number"),
        max_length=30,
        blank=True,
        help_text=_(
            "DIP's number, e.g. “สช 49100001”. Blank means not found yet: fill it in from DIP's register."
        ),
    )
    name_th = models.CharField(_("Thai name"), max_length=255, blank=True)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=GICategory.choices)
    provinces = models.ManyToManyField(
        Province, blank=True, related_name="gi_products", verbose_name=_("provinces")
    )
    origin = models.CharField(
        _("origin"),
        max_length=20,
        choices=origin_choices,
        default=THAI_ORIGIN,
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not an origin: write “thai”, or “foreign:” and the country's "
                "two-letter code, e.g. “foreign:FR”."
            )
        },
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registered_on_precision = models.CharField(
        _("precision of the registration date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    holder = models.CharField(
        _("registration holder"),
        max_length=255,
        blank=True,
        help_text=_(
            "Who applied for and holds the registration, e.g. a provincial office or a producer group."
        ),
    )
    story = models.TextField(_("story"), blank=True)
    source_url = models.TextField(
        _("source URLs"),
        blank=True,
        help_text=_("Where the data came from; several URLs separated by “ | ”."),
    )
    data_source = models.CharField(
        _("data source"),
        max_length=255,
        blank=True,
        help_text=_("The list this record was loaded from, or blank when an official entered it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_th", "name_en"]
        verbose_name = _("GI product")
        verbose_name_plural = _("GI products")
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="giproduct_registration_number_unique",
                violation_error_message=_(
                    "A GI product with this registration number already exists."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(name_th="") | ~Q(name_en=""),
                name="giproduct_has_a_name",
                violation_error_message=_("Give the product a Thai or an English name."),
            ),
        ]
        indexes = [models.Index(fields=["category"]), models.Index(fields=["name_en"])]

    def __str__(self):
        if self.name_th and self.name_en:
            return f"{self.name_th} ({self.name_en})"
        return self.name_th or self.name_en

    @property
    def is_foreign(self) -> bool:
        return self.origin.startswith("foreign:")

    @property
    def source_urls(self) -> list[str]:
        return [url.strip() for url in self.source_url.split("|") if url.strip()]

    def clean(self):
        # Every source is a web address (http/https): it is shown as a link.
        for url in self.source_urls:
            try:
                validate_web_url(url)
            except ValidationError as error:
                raise ValidationError(
                    {"source_url": _("“%(url)s”: %(why)s") % {"url": url, "why": error.messages[0]}}
                ) from None


class ThaiTaxIdField(models.CharField):
    """13 digits with the Thai checksum; dashes and spaces typed by users are removed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 13)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_thai_tax_id)

    def to_python(self, value):
        value = super().to_python(value)
        return compact_tax_id(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": 20, **kwargs})


class Seller(models.Model):
    """A producer, community enterprise, cooperative or company selling GI products."""

    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    kind = models.CharField(_("kind of seller"), max_length=30, choices=SellerKind.choices)
    tax_id = ThaiTaxIdField(
        _("tax / ID number"),
        unique=True,
        help_text=_(
            "13 digits: the national ID of a person or the tax number of a juristic person."
        ),
        error_messages={"unique": _("A seller with this tax / ID number already exists.")},
    )
    contact_person = models.CharField(_("contact person"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sellers",
        verbose_name=_("province"),
    )
    tiktok_shop_handle = models.CharField(
        _("TikTok Shop handle"), max_length=100, blank=True, help_text=_("Without the @.")
    )
    tiktok_shop_id = models.CharField(_("TikTok Shop id"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        constraints = [
            models.UniqueConstraint(
                fields=["tiktok_shop_id"],
                condition=~Q(tiktok_shop_id=""),
                name="seller_tiktok_shop_id_unique",
                violation_error_message=_("Another seller already has this TikTok Shop id."),
            ),
            models.UniqueConstraint(
                fields=["tiktok_shop_handle"],
                condition=~Q(tiktok_shop_handle=""),
                name="seller_tiktok_shop_handle_unique",
                violation_error_message=_("Another seller already has this TikTok Shop handle."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.tiktok_shop_handle = self.tiktok_shop_handle.strip().lstrip("@")


class GIAuthorization(models.Model):
    """A seller's right to use a GI name and logo, by certificate."""

    seller = models.ForeignKey(
        Seller, on_delete=models.CASCADE, related_name="authorizations", verbose_name=_("seller")
    )
    product = models.ForeignKey(
        GIProduct,
        on_delete=models.PROTECT,
        related_name="authorizations",
        verbose_name=_("GI product"),
    )
    certificate_number = models.CharField(
        _("certificate number"),
        max_length=50,
        unique=True,
        error_messages={
            "unique": _("An authorization with this certificate number already exists.")
        },
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("GI authorization")
        verbose_name_plural = _("GI authorizations")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="giauthorization_valid_after_start",
                violation_error_message=_("An authorization cannot end before it starts."),
            )
        ]

    def __str__(self):
        return self.certificate_number


class OnboardingApplication(models.Model):
    """A seller's application to sell GI products on TikTok Shop.

    Its status only changes through ``gi_catalog.services.application_transition``.
    """

    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        related_name="onboarding_applications",
        verbose_name=_("seller"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OnboardingStatus.choices,
        default=OnboardingStatus.DRAFT,
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    products = models.ManyToManyField(
        GIProduct, blank=True, related_name="onboarding_applications", verbose_name=_("GI products")
    )
    # The document checklist; complete before documents_verified.
    has_identity_document = models.BooleanField(
        _("national ID card or business registration"), default=False
    )
    has_gi_certificate = models.BooleanField(_("GI authorization certificate"), default=False)
    has_bank_account = models.BooleanField(_("bank account book"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    documents_verified_at = models.DateTimeField(
        _("documents verified at"), null=True, blank=True, editable=False
    )
    shop_approved_at = models.DateTimeField(
        _("shop approved at"), null=True, blank=True, editable=False
    )
    live_at = models.DateTimeField(_("live at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(
        _("rejected or withdrawn at"), null=True, blank=True, editable=False
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("onboarding application")
        verbose_name_plural = _("onboarding applications")
        constraints = [
            models.UniqueConstraint(
                fields=["seller"],
                condition=~Q(status__in=CLOSED_ONBOARDING_STATUSES),
                name="onboarding_one_open_application_per_seller",
                violation_error_message=_(
                    "This seller already has an open onboarding application."
                ),
            )
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.seller} — {self.get_status_display()}"

    def clean(self):
        # The open-application constraint's condition names ``status``, which no form edits, so
        # full_clean() would skip it: check it here to give a message instead of a database error.
        if self.status not in CLOSED_ONBOARDING_STATUSES and self.seller_id:
            others = OnboardingApplication.objects.filter(seller_id=self.seller_id).exclude(
                status__in=CLOSED_ONBOARDING_STATUSES
            )
            if self.pk:
                others = others.exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"seller": _("This seller already has an open onboarding application.")}
                )

    @property
    def documents_complete(self) -> bool:
        return self.has_identity_document and self.has_gi_certificate and self.has_bank_account


class OnboardingStep(models.Model):
    """One move of an onboarding application: who moved it, when, from where to where (append-only)."""

    application = models.ForeignKey(
        OnboardingApplication,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("application"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=OnboardingStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=OnboardingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class PromotionActivity(models.Model):
    """A short clip, LIVE or campaign that promotes GI products, with its results."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=255)
    held_on = models.DateField(_("date"))
    url = WebURLField(
        _("URL"),
        max_length=500,
        unique=True,
        error_messages={"unique": _("An activity with this URL already exists.")},
    )
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promotion_activities",
        verbose_name=_("seller"),
    )
    products = models.ManyToManyField(
        GIProduct, blank=True, related_name="promotion_activities", verbose_name=_("GI products")
    )
    views = models.PositiveBigIntegerField(_("views"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    gmv_thb = models.DecimalField(
        _("GMV (THB)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("promotion activity")
        verbose_name_plural = _("promotion activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(gmv_thb__gte=0),
                name="promotionactivity_gmv_not_negative",
                violation_error_message=_("GMV cannot be negative."),
            )
        ]
        indexes = [models.Index(fields=["held_on"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"
