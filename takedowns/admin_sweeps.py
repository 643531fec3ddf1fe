"""Admin of monitoring sweeps and their findings (imported at the end of ``takedowns.admin``).

Thin over ``takedowns.sweeps``: the "create a draft case" action calls ``finding_create_case``,
which goes through the case and item services (duplicate URL check included).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from portal.dates import local_date
from portal.import_admin import PortalExportMixin, PortalImportExportMixin
from portal.paginators import EstimatedCountPaginator
from portal.roles import OFFICER, SUPERVISOR
from takedowns.choices import CaseState
from takedowns.models import InfringingItem, MonitoringSweep, SweepFinding, normalize_handle
from takedowns.normalize import normalize_url
from takedowns.resources import MonitoringSweepResource, SweepFindingResource
from takedowns.sweeps import FindingDuplicateError, finding_can_create_case, finding_create_case

#: At most this many findings are turned into cases by one click of the action.
ACTION_LIMIT = 100


def _case_link(case):
    url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    return format_html('<a href="{}">{}</a>', url, case.reference)


def _sweep_officers():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[OFFICER, SUPERVISOR])
        .distinct()
        .order_by("username")
    )


class MonitoringSweepForm(forms.ModelForm):
    class Meta:
        model = MonitoringSweep
        fields = (
            "officer",
            "swept_on",
            "searched_product_search",
            "searched_live",
            "searched_video",
            "searched_shop",
            "keywords",
            "gi_products",
            "minutes_spent",
            "note",
        )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("keywords") or "").strip() and not cleaned.get("gi_products"):
            raise ValidationError(
                _("Enter the keywords searched or choose the GI products searched."),
                code="nothing_searched",
            )
        return cleaned


class SweepFindingForm(forms.ModelForm):
    """A finding that became a case is kept as it was: it can be neither changed nor deleted."""

    class Meta:
        model = SweepFinding
        fields = ("sweep", "kind", "url", "seller_handle", "observed", "right")

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk and instance.case_id:
            deleting = cleaned.get("DELETE")
            if deleting or self.has_changed():
                raise ValidationError(
                    _("This finding is already case %(ref)s: it can no longer be changed.")
                    % {"ref": instance.case.reference},
                    code="converted",
                )
        return cleaned


class SweepFindingInline(admin.TabularInline):
    model = SweepFinding
    form = SweepFindingForm
    extra = 1
    fields = ("kind", "url", "seller_handle", "observed", "right", "case_link", "case_state")
    readonly_fields = ("case_link", "case_state")
    autocomplete_fields = ("right",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case", "right")

    @admin.display(description=_("case"))
    def case_link(self, obj):
        return _case_link(obj.case) if obj and obj.case_id else "—"

    @admin.display(description=_("case state"))
    def case_state(self, obj):
        return CaseState(obj.case.state).label if obj and obj.case_id else "—"


@admin.register(MonitoringSweep)
class MonitoringSweepAdmin(PortalExportMixin, SimpleHistoryAdmin):
    resource_classes = [MonitoringSweepResource]
    form = MonitoringSweepForm
    inlines = (SweepFindingInline,)
    list_display = (
        "reference",
        "swept_on",
        "officer",
        "surfaces",
        "searched_for",
        "minutes_spent",
        "findings_count",
        "cases_count",
    )
    list_display_links = ("reference", "swept_on")
    list_select_related = ("officer",)
    list_filter = (
        ("swept_on", admin.DateFieldListFilter),
        "searched_product_search",
        "searched_live",
        "searched_video",
        "searched_shop",
    )
    date_hierarchy = None
    search_fields = ("keywords", "note")
    search_help_text = _("A sweep's reference (SW-000123), or words of its keywords or note.")
    autocomplete_fields = ("gi_products",)
    readonly_fields = ("reference", "cases_produced")
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """A reference (``SW-000123``, or its number) finds its sweep; other words, the text."""
        number = search_term.strip().upper().removeprefix("SW-")
        if number.isascii() and number.isdigit() and len(number) <= 18:
            return queryset.filter(pk=int(number)), False
        return super().get_search_results(request, queryset, search_term)

    paginator = EstimatedCountPaginator
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("reference", "officer", "swept_on", "minutes_spent")}),
        (
            _("Surfaces searched"),
            {
                "fields": (
                    "searched_product_search",
                    "searched_live",
                    "searched_video",
                    "searched_shop",
                )
            },
        ),
        (_("Searched for"), {"fields": ("keywords", "gi_products")}),
        (_("Result"), {"fields": ("note", "cases_produced")}),
    )

    def get_queryset(self, request):
        findings = SweepFinding.objects.filter(sweep=OuterRef("pk")).order_by().values("sweep")
        return (
            super()
            .get_queryset(request)
            .annotate(
                findings_n=Subquery(findings.annotate(n=Count("pk")).values("n")),
                cases_n=Subquery(
                    findings.filter(case__isnull=False).annotate(n=Count("pk")).values("n")
                ),
            )
            .prefetch_related("gi_products")
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("officer", request.user.pk)
        initial.setdefault("swept_on", timezone.localdate())
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "officer":
            kwargs["queryset"] = _sweep_officers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        # A sweep that produced cases is part of their record.
        return obj is None or not obj.findings.filter(case__isnull=False).exists()

    # -- columns ---------------------------------------------------------------------------------

    @admin.display(description=pgettext_lazy("monitoring sweep", "reference"), ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description=_("surfaces"))
    def surfaces(self, obj):
        return ", ".join(
            str(MonitoringSweep._meta.get_field(name).verbose_name)
            for name in MonitoringSweep.SURFACE_FIELDS
            if getattr(obj, name)
        )

    @admin.display(description=_("searched for"))
    def searched_for(self, obj):
        terms = [line.strip() for line in obj.keywords.splitlines() if line.strip()]
        terms += [product.name_th or product.name_en for product in obj.gi_products.all()]
        text = ", ".join(terms)
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("findings"), ordering="findings_n")
    def findings_count(self, obj):
        return obj.findings_n or 0

    @admin.display(description=_("cases"), ordering="cases_n")
    def cases_count(self, obj):
        return obj.cases_n or 0

    @admin.display(description=_("cases produced"))
    def cases_produced(self, obj):
        if not obj or not obj.pk:
            return "—"
        findings = obj.findings.filter(case__isnull=False).select_related("case")
        rows = [
            (
                _case_link(finding.case),
                CaseState(finding.case.state).label,
                finding.normalized_url,
            )
            for finding in findings
        ]
        if not rows:
            return _("None yet.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} — {} ({})</li>", rows))


@admin.register(SweepFinding)
class SweepFindingAdmin(PortalImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [SweepFindingResource]
    form = SweepFindingForm
    list_display = (
        "normalized_url",
        "kind",
        "sweep",
        "swept_on",
        "seller_handle",
        "right",
        "case_link",
        "case_state",
        "open_case",
    )
    list_select_related = ("sweep", "right", "case")
    list_filter = ("kind",)
    search_fields = ("=normalized_url", "=seller_handle")
    search_help_text = _("A whole URL or seller handle.")
    autocomplete_fields = ("sweep", "right")
    readonly_fields = ("normalized_url", "case_link", "case_state")
    actions = ["create_cases"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50

    def get_queryset(self, request):
        open_case = InfringingItem.objects.filter(
            normalized_url=OuterRef("normalized_url"), is_open=True
        ).values("case__reference")[:1]
        return super().get_queryset(request).annotate(open_case_reference=Subquery(open_case))

    def get_search_results(self, request, queryset, search_term):
        """A URL is compared in its normalised form, a handle without ``@`` and case."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            url = normalize_url(term) if ("/" in term or "." in term) else None
        except ValueError:
            url = None
        if url:
            return queryset.filter(normalized_url=url), False
        return queryset.filter(seller_handle=normalize_handle(term)), False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or not obj.case_id  # kept as it was when it became a case

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or not obj.case_id

    def has_create_case_permission(self, request):
        return finding_can_create_case(actor=request.user)

    # -- the action ------------------------------------------------------------------------------

    @admin.action(
        description=_("Create a draft case from each selected finding"),
        permissions=["create_case"],
    )
    def create_cases(self, request, queryset):
        findings = list(queryset.order_by("pk")[: ACTION_LIMIT + 1])
        if len(findings) > ACTION_LIMIT:
            self.message_user(
                request,
                _("Select at most %(n)s findings at a time.") % {"n": ACTION_LIMIT},
                messages.ERROR,
            )
            return
        for finding in findings:
            try:
                case = finding_create_case(finding=finding, actor=request.user)
            except FindingDuplicateError as error:
                self.message_user(
                    request,
                    format_html(
                        _("{}: no case created — its URL is already reported in open case {}."),
                        finding.normalized_url,
                        _case_link(error.case),
                    ),
                    messages.ERROR,
                )
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", None) or [str(error)])
                self.message_user(request, f"{finding.normalized_url}: {text}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html(
                        _("{}: draft case {} created."), finding.normalized_url, _case_link(case)
                    ),
                    messages.SUCCESS,
                )

    # -- columns ---------------------------------------------------------------------------------

    @admin.display(description=_("date of the sweep"), ordering="sweep__swept_on")
    def swept_on(self, obj):
        return local_date(obj.sweep.swept_on)

    @admin.display(description=_("case"))
    def case_link(self, obj):
        return _case_link(obj.case) if obj and obj.case_id else "—"

    @admin.display(description=_("case state"))
    def case_state(self, obj):
        return CaseState(obj.case.state).label if obj and obj.case_id else "—"

    @admin.display(description=_("already in open case"))
    def open_case(self, obj):
        reference = getattr(obj, "open_case_reference", None)
        if not reference or (obj.case_id and obj.case.reference == reference):
            return "—"
        return reference
