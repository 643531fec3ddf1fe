"""The catalog in the admin. Thin: the onboarding workflow is in services, filters in filters."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from gi_catalog import filters as f
from gi_catalog.choices import DatePrecision, OnboardingStatus
from gi_catalog.models import (
    GIAuthorization,
    GIProduct,
    OnboardingApplication,
    OnboardingStep,
    PromotionActivity,
    Seller,
)
from gi_catalog.resources import (
    GIAuthorizationResource,
    GIProductResource,
    OnboardingApplicationResource,
    PromotionActivityResource,
    SellerResource,
)
from gi_catalog.services import applications_transition
from portal.admin_filters import DateRangeFilter
from portal.dates import format_date, local_date, local_month
from portal.import_admin import PortalExportMixin, PortalImportExportMixin
from portal.validators import is_web_url


class CatalogAdmin(PortalImportExportMixin, SimpleHistoryAdmin):
    show_full_result_count = False
    list_per_page = 50


# --- GI products -------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """A list on the parent's page; rows are edited on their own page (a GI can have thousands)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuthorizationOnProductInline(ReadOnlyInline):
    model = GIAuthorization
    fields = ("certificate_number", "seller", "valid_from", "valid_until")
    readonly_fields = fields
    verbose_name_plural = _("authorized sellers")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seller")


class ActivityOnProductInline(ReadOnlyInline):
    model = PromotionActivity.products.through
    fields = ("activity", "held_on", "views", "orders", "gmv_thb")
    readonly_fields = fields
    show_change_link = False
    verbose_name = _("promotion activity")
    verbose_name_plural = _("promotion activities")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("promotionactivity")
            .order_by("-promotionactivity__held_on")
        )

    @admin.display(description=_("promotion activity"))
    def activity(self, obj):
        activity = obj.promotionactivity
        url = reverse("admin:gi_catalog_promotionactivity_change", args=[activity.pk])
        return format_html('<a href="{}">{}</a>', url, activity)

    @admin.display(description=_("date"))
    def held_on(self, obj):
        return local_date(obj.promotionactivity.held_on)

    @admin.display(description=_("views"))
    def views(self, obj):
        return obj.promotionactivity.views

    @admin.display(description=_("orders"))
    def orders(self, obj):
        return obj.promotionactivity.orders

    @admin.display(description=_("GMV (THB)"))
    def gmv_thb(self, obj):
        return obj.promotionactivity.gmv_thb


@admin.register(GIProduct)
class GIProductAdmin(CatalogAdmin):
    resource_classes = [GIProductResource]
    list_display = (
        "__str__",
        "registration",
        "category",
        "province_list",
        "registered",
        "seller_count",
    )
    list_filter = (
        f.choice_filter(f.GIProductFilterSet, "registration_number"),
        f.choice_filter(f.GIProductFilterSet, "category"),
        f.choice_filter(f.GIProductFilterSet, "origin"),
        f.choice_filter(f.GIProductFilterSet, "province"),
        ("registered_on", DateRangeFilter),
    )
    search_fields = ("registration_number", "name_th", "name_en", "holder")
    autocomplete_fields = ("provinces",)
    readonly_fields = ("sources", "data_source", "created_at", "updated_at")
    inlines = [AuthorizationOnProductInline, ActivityOnProductInline]
    fieldsets = (
        (None, {"fields": ("registration_number", "name_th", "name_en", "category", "origin")}),
        (
            _("Registration"),
            {"fields": ("provinces", "registered_on", "registered_on_precision", "holder")},
        ),
        (_("Story"), {"fields": ("story",)}),
        (_("Source"), {"fields": ("source_url", "sources", "data_source")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("provinces")
            .annotate(sellers=Count("authorizations__seller", distinct=True))
        )

    @admin.display(description=_("registration number"), ordering="registration_number")
    def registration(self, obj):
        if obj.registration_number:
            return obj.registration_number
        return format_html('<span class="gi-missing">{}</span>', _("— not found yet"))

    @admin.display(description=_("provinces"))
    def province_list(self, obj):
        return ", ".join(p.name_th for p in obj.provinces.all()) or _("(foreign GI)")

    @admin.display(description=_("registered on"), ordering="registered_on")
    def registered(self, obj):
        if not obj.registered_on:
            return "—"
        if obj.registered_on_precision == DatePrecision.YEAR:
            return format_date(obj.registered_on, "Y")
        if obj.registered_on_precision == DatePrecision.MONTH:
            return local_month(obj.registered_on)
        return local_date(obj.registered_on)

    @admin.display(description=_("authorized sellers"), ordering="sellers")
    def seller_count(self, obj):
        return obj.sellers

    @admin.display(description=_("source pages"))
    def sources(self, obj):
        # Only a web address becomes a link (a row stored before the check may hold another).
        return (
            format_html_join(
                "",
                "{}<br>",
                (
                    (format_html('<a href="{}" rel="noopener noreferrer">{}</a>', u, u),)
                    if is_web_url(u)
                    else (u,)
                    for u in obj.source_urls
                ),
            )
            or "—"
        )


# --- Sellers -----------------------------------------------------------------------------------


class AuthorizationOnSellerInline(admin.TabularInline):
    model = GIAuthorization
    fields = ("certificate_number", "product", "valid_from", "valid_until", "note")
    autocomplete_fields = ("product",)
    extra = 0


class ApplicationOnSellerInline(admin.TabularInline):
    model = OnboardingApplication
    fields = ("status", "submitted_at", "live_at", "closed_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # applications are opened on their own page


@admin.register(Seller)
class SellerAdmin(CatalogAdmin):
    resource_classes = [SellerResource]
    list_display = ("name", "kind", "tax_id", "province", "tiktok_shop_handle", "onboarding")
    list_select_related = ("province",)
    list_filter = (
        f.choice_filter(f.SellerFilterSet, "kind"),
        f.choice_filter(f.SellerFilterSet, "onboarding"),
        f.choice_filter(f.SellerFilterSet, "province"),
        ("created_at", DateRangeFilter),
    )
    search_fields = ("name", "name_en", "tax_id", "tiktok_shop_handle", "tiktok_shop_id")
    autocomplete_fields = ("province",)
    inlines = [AuthorizationOnSellerInline, ApplicationOnSellerInline]
    fieldsets = (
        (None, {"fields": ("name", "name_en", "kind", "tax_id")}),
        (_("Contact"), {"fields": ("contact_person", "phone", "email", "address", "province")}),
        (_("TikTok Shop"), {"fields": ("tiktok_shop_handle", "tiktok_shop_id")}),
        (None, {"fields": ("notes",)}),
    )

    def get_queryset(self, request):
        latest = OnboardingApplication.objects.filter(seller=OuterRef("pk")).order_by("-created_at")
        return (
            super()
            .get_queryset(request)
            .annotate(latest_status=Subquery(latest.values("status")[:1]))
        )

    @admin.display(description=_("onboarding"), ordering="latest_status")
    def onboarding(self, obj):
        if not obj.latest_status:
            return "—"
        return OnboardingStatus(obj.latest_status).label


# --- Authorizations ----------------------------------------------------------------------------


@admin.register(GIAuthorization)
class GIAuthorizationAdmin(CatalogAdmin):
    resource_classes = [GIAuthorizationResource]
    list_display = ("certificate_number", "seller", "product", "valid_from", "valid_until", "valid")
    list_select_related = ("seller", "product")
    list_filter = (
        f.choice_filter(f.GIAuthorizationFilterSet, "validity"),
        f.choice_filter(f.GIAuthorizationFilterSet, "category"),
        f.choice_filter(f.GIAuthorizationFilterSet, "province"),
        ("valid_until", DateRangeFilter),
    )
    search_fields = ("certificate_number", "seller__name", "seller__tax_id", "product__name_th")
    autocomplete_fields = ("seller", "product")

    @admin.display(description=_("valid today"), boolean=True)
    def valid(self, obj):
        today = timezone.localdate()
        return obj.valid_from <= today and (obj.valid_until is None or obj.valid_until >= today)


# --- Onboarding --------------------------------------------------------------------------------


class OnboardingActionForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason (for a rejection)"),
        required=False,
        widget=forms.TextInput(attrs={"size": 40}),
    )


class StepInline(admin.TabularInline):
    model = OnboardingStep
    fields = ("at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _transition_action(to_status, description):
    def action(modeladmin, request, queryset):
        modeladmin.move(request, queryset, to_status)

    action.__name__ = f"move_to_{to_status}"
    action.short_description = description
    action.allowed_permissions = ("change",)
    return action


@admin.register(OnboardingApplication)
class OnboardingApplicationAdmin(PortalExportMixin, SimpleHistoryAdmin):
    resource_classes = [OnboardingApplicationResource]
    show_full_result_count = False
    action_form = OnboardingActionForm
    list_display = (
        "seller",
        "status",
        "documents",
        "submitted_at",
        "documents_verified_at",
        "shop_approved_at",
        "live_at",
    )
    list_select_related = ("seller",)
    list_filter = (
        f.choice_filter(f.OnboardingFilterSet, "status"),
        f.choice_filter(f.OnboardingFilterSet, "documents"),
        f.choice_filter(f.OnboardingFilterSet, "province"),
        ("submitted_at", DateRangeFilter),
        ("live_at", DateRangeFilter),
    )
    search_fields = ("seller__name", "seller__tax_id", "seller__tiktok_shop_handle")
    autocomplete_fields = ("seller", "products")
    readonly_fields = (
        "status",
        "submitted_at",
        "documents_verified_at",
        "shop_approved_at",
        "live_at",
        "closed_at",
        "rejection_reason",
    )
    fieldsets = (
        (None, {"fields": ("seller", "products", "status", "note")}),
        (
            _("Document checklist"),
            {"fields": ("has_identity_document", "has_gi_certificate", "has_bank_account")},
        ),
        (
            _("Steps"),
            {
                "fields": (
                    "submitted_at",
                    "documents_verified_at",
                    "shop_approved_at",
                    "live_at",
                    "closed_at",
                    "rejection_reason",
                )
            },
        ),
    )
    inlines = [StepInline]
    actions = [
        _transition_action(OnboardingStatus.SUBMITTED, _("Submit the selected applications")),
        _transition_action(OnboardingStatus.DOCUMENTS_VERIFIED, _("Mark documents as verified")),
        _transition_action(OnboardingStatus.SHOP_APPROVED, _("Mark the TikTok shop as approved")),
        _transition_action(OnboardingStatus.LIVE, _("Mark the shop as live")),
        _transition_action(OnboardingStatus.REJECTED, _("Reject (give the reason)")),
        _transition_action(OnboardingStatus.WITHDRAWN, _("Withdraw the selected applications")),
    ]

    @admin.display(description=_("documents complete"), boolean=True)
    def documents(self, obj):
        return obj.documents_complete

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("seller")
            if obj.status not in (OnboardingStatus.DRAFT, OnboardingStatus.SUBMITTED):
                # Verified documents stay verified.
                fields += ["has_identity_document", "has_gi_certificate", "has_bank_account"]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            # Write only what the form edits: the status may have moved since the page was opened.
            editable = [
                name
                for name in form.cleaned_data
                if name in {field.name for field in obj._meta.concrete_fields}
            ]
            obj.save(update_fields=[*editable, "updated_at"])
        else:
            obj.save()

    def move(self, request, queryset, to_status):
        try:
            moved = applications_transition(
                applications=list(queryset.select_related("seller")),
                to_status=to_status,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            self.message_user(request, _("Nothing was changed."), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d application moved to “%(status)s”.",
                "%(count)d applications moved to “%(status)s”.",
                len(moved),
            )
            % {"count": len(moved), "status": OnboardingStatus(to_status).label},
            messages.SUCCESS,
        )


# --- Promotion activities ----------------------------------------------------------------------


@admin.register(PromotionActivity)
class PromotionActivityAdmin(CatalogAdmin):
    resource_classes = [PromotionActivityResource]
    list_display = ("held_on", "kind", "title", "seller", "views", "orders", "gmv_thb")
    list_select_related = ("seller",)
    list_filter = (
        f.choice_filter(f.PromotionActivityFilterSet, "kind"),
        f.choice_filter(f.PromotionActivityFilterSet, "category"),
        f.choice_filter(f.PromotionActivityFilterSet, "province"),
        ("held_on", DateRangeFilter),
    )
    search_fields = ("title", "url", "seller__name", "seller__tiktok_shop_handle")
    autocomplete_fields = ("seller", "products")
