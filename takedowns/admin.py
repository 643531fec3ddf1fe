"""The takedowns admin: thin over the takedowns services (``transitions``, ``case_items``, ...);
every restriction holds on the server."""

import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portal.dates import format_date, local_datetime
from portal.import_admin import PortalImportExportMixin
from portal.paginators import EstimatedCountPaginator
from portal.roles import is_platform_user
from portal.security.limited_admin import RoleLimitedAdminMixin
from takedowns import case_items, evidence, selectors, sla, transitions
from takedowns.choices import BASES_NEEDING_AUTHORIZATION, PLATFORM_FINDABLE_STATES, CaseState
from takedowns.forms import EvidenceForm, InfringingItemInlineForm, TakedownCaseForm
from takedowns.models import (
    REPEAT_INFRINGER_MIN_CASES,
    Evidence,
    InfringingItem,
    PlatformSeller,
    ProtectedRight,
    ReasonCode,
    RightsHolder,
    StatusEvent,
    SweepFinding,
    TakedownCase,
    normalize_handle,
)
from takedowns.normalize import normalize_url
from takedowns.resources import InfringingItemResource, TakedownCaseResource
from takedowns.transitions import PLATFORM_FIELDS

S = CaseState

#: Reporter data the platform does not need: never shown to the liaison.
PERSONAL_FIELDS = ("reporter_phone", "reporter_position", "internal_note", "assigned_officer")
#: DIP's own fields, editable in any open state.
DIP_ALWAYS_FIELDS = ("internal_note", "assigned_officer", "assigned_liaison")
TIMING_FIELDS = (
    "created_at",
    "submitted_at",
    "forwarded_at",
    "sla_status",
    "decided_at",
    "platform_decided_at",
    "removed_at",
    "paused_display",
    "time_to_takedown_display",
    "appeal_deadlines",
    "closed_at",
)
FINAL_STATES = (S.CLOSED, S.WITHDRAWN)


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return _("%(d)sd %(h)sh %(m)sm") % {"d": days, "h": hours, "m": minutes}


def _local(moment) -> str:
    return local_datetime(moment)


def platform_events_only(request, queryset):
    """The liaison sees the log from forwarding on, not DIP's internal review before it."""
    return selectors.events_visible_to(user=request.user, queryset=queryset)


def _reached_platform_at(case_id):
    """When a case reached the platform: its first saved version in the forwarded state (a case
    loaded without that version: its ``forwarded_at``)."""
    first = (
        TakedownCase.history.filter(id=case_id, state=S.FORWARDED)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    if first is None:
        first = (
            TakedownCase._base_manager.filter(pk=case_id)
            .values_list("forwarded_at", flat=True)
            .first()
        )
    return first


class PlatformLimitedMixin(RoleLimitedAdminMixin):
    """The liaison's limits on a case or its children: only the change-list lookups of the list
    filters, and the audit history from the case's forwarding on (``limited_history_fields``: what
    of each change it shows)."""

    limited_history_fields = None  # a child's fields: the liaison sees them all on the case page

    def history_case_id(self, object_id):
        return (
            self.model._base_manager.filter(pk=object_id).values_list("case_id", flat=True).first()
        )

    def limited_history_rows(self, request, queryset, object_id):
        case_id = self.history_case_id(object_id)
        since = _reached_platform_at(case_id) if case_id is not None else None
        if since is None:
            return queryset.none()
        return queryset.filter(history_date__gte=since)


class CaseScopedMixin(PlatformLimitedMixin):
    """Standalone admins of case children show only rows of cases the user may see."""

    case_path = "case"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_platform_user(request.user):
            visible = selectors.cases_visible_to(user=request.user)
            queryset = queryset.filter(**{f"{self.case_path}__in": visible.values("pk")})
        return queryset


# --- how many cases of a seller the liaison sees ---------------------------------------------


def _visible_case_counts(user):
    """Per seller handle, the number of cases ``user`` may see (``cases_visible_to``): the
    liaison's count leaves out DIP's drafts, which the stored ``PlatformSeller.case_count`` has."""
    visible = selectors.cases_visible_to(user=user)
    return (
        InfringingItem.objects.filter(case__in=visible.values("pk"))
        .exclude(seller_handle="")
        .values("seller_handle")
        .annotate(n=Count("case", distinct=True))
    )


def show_visible_case_counts(request, sellers) -> None:
    """For the liaison, set each shown seller's ``case_count`` to the cases it may see (these
    objects are only displayed; ``infringers.seller_counts_refresh`` alone writes the column)."""
    if not is_platform_user(request.user):
        return
    sellers = [seller for seller in sellers if seller is not None]
    if not sellers:
        return
    counts = dict(
        _visible_case_counts(request.user)
        .filter(seller_handle__in={seller.handle for seller in sellers})
        .values_list("seller_handle", "n")
    )
    for seller in sellers:
        seller.case_count = counts.get(seller.handle, 0)


def listing_title_html(item: InfringingItem) -> str:
    language = item.title_language
    if language is None:
        return item.title or "—"
    return format_html(
        '<span lang="{}">{}</span> <span class="td-lang">({})</span>',
        language.code,
        item.title,
        _("original language: %(language)s") % {"language": language.label},
    )


# --- list filters (no query to build their choices) ----------------------------------------


class WorkQueueFilter(admin.SimpleListFilter):
    """Where each role starts its day: the queues of its own role only (selectors.WORK_QUEUES)."""

    title = _("work queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(queue.key, queue.label) for queue in selectors.work_queues_for(request.user)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return selectors.work_queue_cases(user=request.user, key=self.value(), queryset=queryset)


class StateFilter(admin.SimpleListFilter):
    """The states a user can find cases in: the liaison is not offered DIP's internal ones."""

    title = _("state")
    parameter_name = "state__exact"

    def lookups(self, request, model_admin):
        platform = is_platform_user(request.user)
        return [
            (state, label)
            for state, label in CaseState.choices
            if not platform or state in PLATFORM_FINDABLE_STATES
        ]

    def queryset(self, request, queryset):
        return queryset.filter(state=self.value()) if self.value() else queryset


class SLAFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue now")),
            ("breached", _("Flagged as breached")),
            ("met", _("Decided within SLA")),
            ("missed", _("Decided late")),
        ]

    def queryset(self, request, queryset):
        from django.db.models import F

        value = self.value()
        if value == "overdue":
            return sla.overdue_cases(queryset=queryset)
        if value == "breached":
            return queryset.filter(sla_breached=True)
        if value == "met":
            return queryset.filter(decided_at__isnull=False, decided_at__lte=F("sla_due_at"))
        if value == "missed":
            return queryset.filter(decided_at__isnull=False, decided_at__gt=F("sla_due_at"))
        return queryset


class ItemRepeatFilter(admin.SimpleListFilter):
    """Items whose platform seller is a repeat infringer (one join to PlatformSeller)."""

    title = _("repeat infringer")
    parameter_name = "repeat"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Seller seen in %(n)s or more cases") % {"n": REPEAT_INFRINGER_MIN_CASES})
        ]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        if is_platform_user(request.user):
            repeat = _visible_case_counts(request.user).filter(n__gte=REPEAT_INFRINGER_MIN_CASES)
            return queryset.filter(seller_handle__in=repeat.values("seller_handle"))
        return queryset.filter(seller__case_count__gte=REPEAT_INFRINGER_MIN_CASES)


class RepeatInfringerFilter(ItemRepeatFilter):
    """Cases with at least one such item."""

    def queryset(self, request, queryset):
        if self.value() == "yes":
            repeat_items = super().queryset(request, InfringingItem.objects.all())
            return queryset.filter(Exists(repeat_items.filter(case=OuterRef("pk"))))
        return queryset


# --- inlines -------------------------------------------------------------------------------


class InfringingItemInline(admin.TabularInline):
    model = InfringingItem
    form = InfringingItemInlineForm
    extra = 0
    fields = (
        "kind",
        "url",
        "normalized_url",
        "seller_handle",
        "seller_cases",
        "shop_id",
        "title",
        "price_thb",
        "outcome",
        "outcome_reason",
        "outcome_at",
    )
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seller", "outcome_reason", "case")

    @admin.display(description=_("cases of this seller"))
    def seller_cases(self, obj):
        if not obj.seller_id:
            return "—"
        count = obj.seller.case_count
        if obj.seller.is_repeat_infringer:
            return format_html('<strong class="td-repeat">{}</strong>', count)
        return count

    @admin.display(description=_("title on the platform"))
    def listing_title(self, obj):
        """The title as the seller wrote it, its original language marked (the liaison reads
        English; most titles are Thai)."""
        return listing_title_html(obj)

    def get_fields(self, request, obj=None):
        """A title nobody may change here is shown with its language."""
        fields = super().get_fields(request, obj)
        if "title" in self.get_readonly_fields(request, obj):
            fields = ["listing_title" if name == "title" else name for name in fields]
        return fields

    def _platform_can_decide(self, request, obj) -> bool:
        return (
            obj is not None
            and obj.state in case_items.ITEM_OUTCOME_PAGE_STATES
            and request.user.has_perm("takedowns.record_platform_decision")
        )

    def get_readonly_fields(self, request, obj=None):
        always = ("normalized_url", "seller_cases", "outcome_at", "listing_title")
        content = ("kind", "url", "seller_handle", "shop_id", "title", "price_thb")
        outcome = ("outcome", "outcome_reason")
        if is_platform_user(request.user):
            return always + content + (() if self._platform_can_decide(request, obj) else outcome)
        if request.user.is_superuser and self._platform_can_decide(request, obj):
            return always + content
        return always + outcome

    def has_add_permission(self, request, obj=None):
        """Also on the new-case page (``obj`` None): the items are saved with the case."""
        return case_items.child_may(
            case=obj or TakedownCase(), model=InfringingItem, action="add", actor=request.user
        )

    def has_change_permission(self, request, obj=None):
        if obj is None or not super().has_change_permission(request, obj):
            return False
        if is_platform_user(request.user):
            return self._platform_can_decide(request, obj)
        return case_items.child_may(
            case=obj, model=InfringingItem, action="change", actor=request.user
        ) or (request.user.is_superuser and self._platform_can_decide(request, obj))

    def has_delete_permission(self, request, obj=None):
        return obj is not None and case_items.child_may(
            case=obj, model=InfringingItem, action="delete", actor=request.user
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"actor": request.user})
        # One query for the reason codes, shared by every row's select.
        field = formset.form.base_fields.get("outcome_reason")
        if field is not None:
            field.choices = [("", "---------")] + [
                (reason.pk, str(reason)) for reason in ReasonCode.objects.filter(active=True)
            ]
        return formset


class EvidenceInline(admin.TabularInline):
    model = Evidence
    form = EvidenceForm
    extra = 0
    fields = (
        "kind",
        "file",
        "captured_at",
        "description",
        "original_name",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = ("original_name", "size", "sha256", "uploaded_by", "uploaded_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        """Also on the new-case page (``obj`` None): the files are saved with the case."""
        return case_items.child_may(
            case=obj or TakedownCase(), model=Evidence, action="add", actor=request.user
        )

    def has_change_permission(self, request, obj=None):
        return False  # evidence is kept as uploaded; delete and upload again

    def has_delete_permission(self, request, obj=None):
        return obj is not None and case_items.child_may(
            case=obj, model=Evidence, action="delete", actor=request.user
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"actor": request.user})
        return formset


# --- the case ------------------------------------------------------------------------------


class CaseChangeList(ChangeList):
    """Adds nothing per row: the page's items and their sellers come in one prefetch."""


SEARCH_CASES_LIMIT = 2000
REFERENCE_TERM = re.compile(r"^TD-\d{4}-\d{1,6}$", re.IGNORECASE)


def _looks_like_url(term: str) -> bool:
    return "/" in term or term.startswith(("http", "www.")) or ".com" in term


class FastListMixin:
    """Cheap per-row parts of a big change list: the action checkbox as plain HTML."""

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            str(obj),
        )


class NoPlatformExportMixin:
    """The liaison neither imports nor exports: exports carry DIP's reporter data."""

    def has_export_permission(self, request):
        return not is_platform_user(request.user) and super().has_export_permission(request)

    def has_import_permission(self, request):
        return not is_platform_user(request.user) and super().has_import_permission(request)


@admin.register(TakedownCase)
class TakedownCaseAdmin(
    FastListMixin,
    PlatformLimitedMixin,
    NoPlatformExportMixin,
    PortalImportExportMixin,
    SimpleHistoryAdmin,
):
    resource_classes = [TakedownCaseResource]
    #: The liaison's history of a case shows changes of the platform's fields only.
    limited_history_fields = PLATFORM_FIELDS
    form = TakedownCaseForm
    list_display = (
        "reference",
        "title",
        "state",
        "priority",
        "age",
        "sla_flag",
        "right_type",
        "infringement_type",
        "repeat_infringer",
        "forwarded_at",
    )
    list_display_links = ("reference", "title")
    list_select_related = ("right",)
    list_filter = (
        WorkQueueFilter,
        StateFilter,
        "priority",
        "right__right_type",
        "infringement_type",
        SLAFilter,
        RepeatInfringerFilter,
        ("created_at", admin.DateFieldListFilter),
        ("forwarded_at", admin.DateFieldListFilter),
        ("decided_at", admin.DateFieldListFilter),
    )
    search_fields = ("=reference", "=ippc_ticket_id", "title")
    search_help_text = _(
        "A case reference, an IPPC ticket ID, part of an item's URL, a seller handle (or part "
        "of one), or words of the title."
    )
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    #: The right's choices follow the chosen holder (``ProtectedRightAdmin.get_search_results``).
    autocomplete_fields = ("rights_holder", "right", "assigned_officer", "assigned_liaison")
    inlines = (InfringingItemInline, EvidenceInline)
    readonly_fields = ("reference", "state", "source", *TIMING_FIELDS)

    class Media:
        js = ("takedowns/case_form.js",)
        css = {"all": ("takedowns/case_form.css",)}

    actions = ("forward_selected",)

    # -- queryset and permissions ------------------------------------------------------------

    def history_case_id(self, object_id):
        return object_id

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("right", "rights_holder")
        queryset = queryset.prefetch_related(
            Prefetch(
                "items",
                queryset=InfringingItem.objects.select_related("seller").only(
                    "id", "case_id", "seller_handle", "seller__handle", "seller__case_count"
                ),
                to_attr="prefetched_items",
            )
        )
        if self._info_requested_queue(request):
            queryset = selectors.with_open_info_request(queryset)
        return selectors.cases_visible_to(user=request.user, queryset=queryset)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.state not in FINAL_STATES

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or obj.state in (S.DRAFT, S.WITHDRAWN)

    def has_forward_permission(self, request):
        return request.user.has_perm(f"{transitions.APP}.{transitions.PERM_FORWARD}")

    @admin.action(
        permissions=["forward"], description=_("Forward the selected cases to the platform")
    )
    def forward_selected(self, request, queryset):
        """Asks first (a page listing the cases, and why any cannot go); then each case goes
        through the same transition (and checks) as its own page."""
        if request.POST.get("post") != "yes":
            return self._forward_confirmation(request, queryset.order_by("reference"))
        forwarded, refused = [], []
        for case in queryset.order_by("reference"):
            try:
                transitions.case_transition(case=case, to_state=S.FORWARDED, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                refused.append(f"{case.reference}: {reason}")
            else:
                forwarded.append(case.reference)
        if forwarded:
            self.message_user(
                request,
                ngettext(
                    "%(count)d case forwarded: %(references)s",
                    "%(count)d cases forwarded: %(references)s",
                    len(forwarded),
                )
                % {"count": len(forwarded), "references": ", ".join(forwarded)},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(
                request, _("Not forwarded, %(reason)s") % {"reason": line}, messages.ERROR
            )

    def _forward_confirmation(self, request, cases):
        rows = []
        for case in cases:
            try:
                transitions.case_check_transition(
                    case=case, to_state=S.FORWARDED, actor=request.user
                )
            except (ValidationError, PermissionDenied) as error:
                rows.append((case, " ".join(getattr(error, "messages", [str(error)]))))
            else:
                rows.append((case, ""))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Forward these cases to the platform?"),
            "opts": self.opts,
            "rows": rows,
            "ready": sum(1 for _case, refusal in rows if not refusal),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/takedowns/takedowncase/forward_selected_confirmation.html", context
        )

    def get_actions(self, request):
        """Forwarding first and deleting last, apart, so one is never chosen for the other."""
        actions = super().get_actions(request)
        delete = actions.pop("delete_selected", None)
        if delete is not None:
            actions["delete_selected"] = delete
        return actions

    def get_deleted_objects(self, objs, request):
        # A deletable case takes its items, evidence and log with it; their own admins refuse
        # deleting them one by one, which must not block deleting the whole draft.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    # -- form layout -------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        platform = is_platform_user(request.user)
        reporter = ["reporter_name", "reporter_email"]
        if not platform:
            reporter += ["reporter_phone", "reporter_position"]
        reporter += [
            "reporter_basis",
            "authorization_document",
            "authorization_valid_from",
            "authorization_valid_until",
        ]
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        "reference",
                        "state",
                        *(["source"] if obj is not None and not platform else []),
                        "title",
                        "summary_en",
                        "description",
                        "rights_holder",
                        "right",
                        "infringement_type",
                        "priority",
                        "respondent_is_creator",
                    ]
                },
            ),
            (_("Reporter (what the platform asks of a report)"), {"fields": reporter}),
            (_("Platform"), {"fields": list(PLATFORM_FIELDS)}),
            (_("Timings, SLA and appeals"), {"fields": list(TIMING_FIELDS)}),
        ]
        if not platform:
            fieldsets.append(
                (_("DIP"), {"fields": ["assigned_officer", "assigned_liaison", "internal_note"]})
            )
        if obj is None:
            fieldsets = [fs for fs in fieldsets if fs[0] != _("Timings, SLA and appeals")]
        if obj is None or self.has_change_permission(request, obj):
            # Near the top, not under a long page: a new case is created, given its items and
            # evidence and sent to review in one save.
            next_step = (
                _("Next step"),
                {"fields": ["version_seen", *TakedownCaseForm.TRANSITION_FIELDS]},
            )
            fieldsets.insert(1, next_step)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        computed = ("reference", "state", "source", *TIMING_FIELDS)
        if obj is None:
            return computed + PLATFORM_FIELDS
        editable_model_fields = [
            f.name for f in TakedownCase._meta.fields if f.editable and not f.primary_key
        ]
        user = request.user
        if is_platform_user(user):
            writable = set(PLATFORM_FIELDS)
        elif obj.state in case_items.CASE_EDIT_STATES:
            writable = set(editable_model_fields) - set(PLATFORM_FIELDS)
        else:
            writable = set(DIP_ALWAYS_FIELDS)
        if user.is_superuser:
            writable |= set(PLATFORM_FIELDS)
        return computed + tuple(f for f in editable_model_fields if f not in writable)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_changelist(self, request, **kwargs):
        return CaseChangeList

    def _info_requested_queue(self, request) -> bool:
        return request.GET.get(WorkQueueFilter.parameter_name) == "info_requested"

    def get_list_display(self, request):
        """The liaison reads the English summary instead of the Thai title; the queue of
        information requests shows what the platform asked."""
        columns = list(super().get_list_display(request))
        if is_platform_user(request.user):
            columns[columns.index("title")] = "english_summary"
        if self._info_requested_queue(request):
            columns.insert(2, "info_request")  # after the reference and the title
        return columns

    def get_list_display_links(self, request, list_display):
        return [name for name in ("reference", "title", "english_summary") if name in list_display]

    @admin.display(description=_("English summary"))
    def english_summary(self, obj):
        return Truncator(obj.summary_en).chars(120) or "—"

    @admin.display(description=_("what the platform asked"))
    def info_request(self, obj):
        return Truncator(getattr(obj, "info_request_note", "") or "").chars(200) or "—"

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        show_visible_case_counts(
            request,
            [
                item.seller
                for case in changelist.result_list
                for item in getattr(case, "prefetched_items", None) or []
                if item.seller_id
            ],
        )
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        show_visible_case_counts(
            request,
            [
                form.instance.seller
                for inline in context.get("inline_admin_formsets", [])
                if inline.formset.model is InfringingItem
                for form in inline.formset.forms
                if form.instance.seller_id
            ],
        )
        # The case's log (change_form.html shows it after the inlines): read-only, so a plain
        # list of events rather than a formset of thirty read-only forms.
        if obj is not None:
            events = obj.events.select_related("actor", "reason_code", "item").order_by("at", "id")
            context["case_log"] = platform_events_only(request, events)
            context["case_log_title"] = StatusEvent._meta.verbose_name_plural
            # At the top of the page, for both sides: what the platform asked, and the answer.
            context["info_exchanges"] = selectors.case_info_exchanges(case=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            # Items nobody may change or add any more: a plain table, not 20 read-only forms.
            if (
                isinstance(inline, InfringingItemInline)
                and obj is not None
                and not inline.has_change_permission(request, obj)
                and not inline.has_add_permission(request, obj)
            ):
                inline.template = "admin/takedowns/item_inline_readonly.html"
        return inlines

    def get_search_results(self, request, queryset, search_term):
        """One indexed condition per kind of term, never a JOIN that needs DISTINCT."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if REFERENCE_TERM.match(term):
            return queryset.filter(reference=term.upper()), False
        items = InfringingItem.objects.all()
        if _looks_like_url(term):
            try:
                fragment = normalize_url(term) if term.startswith("http") else term
            except ValueError:
                fragment = term
            matches = items.filter(normalized_url__icontains=fragment.removeprefix("https://"))
            return queryset.filter(pk__in=matches.values("case_id")), False
        # The handle's cases first (a bounded list), so the OR below is a BitmapOr of indexes:
        # the newest items' cases, those the list shows first (with the oldest, a fragment found
        # in thousands of handles made PostgreSQL walk the whole list by date to reach them).
        handle = normalize_handle(term)
        case_ids = list(
            items.filter(seller_handle__contains=handle)
            .order_by("-pk")
            .values_list("case_id", flat=True)[:SEARCH_CASES_LIMIT]
        )
        condition = Q(ippc_ticket_id=term) | Q(title__icontains=term)
        if case_ids:
            condition |= Q(pk__in=case_ids)
        return queryset.filter(condition), False

    # -- saving: through the services ----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            transitions.case_create(case=obj, actor=request.user)
            return
        model_fields = {f.name for f in TakedownCase._meta.fields}
        changed = [name for name in form.changed_data if name in model_fields]
        obj.version = form.cleaned_data["version_seen"] + 1
        obj.save(update_fields=[*changed, "version", "updated_at"])

    def save_formset(self, request, form, formset, change):
        if formset.model is InfringingItem:
            self._save_items(request, form.instance, formset)
        elif formset.model is Evidence:
            for added in formset.save(commit=False):  # evidence is never changed, only added
                evidence.evidence_add(evidence=added, actor=request.user)
            for removed in formset.deleted_objects:
                evidence.evidence_delete(evidence=removed, actor=request.user)
        else:
            formset.save()

    def _save_items(self, request, case, formset):
        platform_forms = []
        for item_form in formset.forms:
            if item_form in formset.deleted_forms or not item_form.has_changed():
                continue
            if "outcome" in item_form.changed_data and item_form.instance.pk:
                platform_forms.append(item_form)
        if not platform_forms:
            # DIP's new and changed items, each through the item service (a URL reported by
            # someone else at the same moment is a duplicate there, see changeform_view)
            items = formset.save(commit=False)
            # once per kind of write, not per item: the case stays locked until the page is saved
            for action in sorted({"add" if item._state.adding else "change" for item in items}):
                case_items.child_check(
                    case=case, model=InfringingItem, action=action, actor=request.user
                )
            for item in items:
                case_items.item_save(item=item)
            for item in formset.deleted_objects:
                case_items.item_delete(item=item, actor=request.user)
            return
        formset.new_objects, formset.deleted_objects = [], []
        formset.changed_objects = [(f.instance, ["outcome"]) for f in platform_forms]
        case_items.case_begin_review(case=case, actor=request.user)
        state_before = case.state
        for item_form in platform_forms:
            case_items.item_record_outcome(
                item=item_form.instance,
                outcome=item_form.cleaned_data["outcome"],
                actor=request.user,
                reason_code=item_form.cleaned_data.get("outcome_reason"),
            )
        case.refresh_from_db()
        if case.state != state_before:
            messages.success(
                request,
                _("All items decided: the case moved to “%(state)s”.")
                % {"state": S(case.state).label},
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A duplicate found only when an item is written (someone else reported the same URL
        at the same moment): everything this request wrote is rolled back and the form is
        checked once more, where the duplicate check now names the other case beside the item,
        with what the user typed kept."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except case_items.ItemRaceDuplicate:
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        to_state = form.cleaned_data.get("transition")
        if not to_state:
            return
        case = form.instance
        state_before = case.state
        case.refresh_from_db()
        if case.state != state_before or case.state == to_state:
            return  # item outcomes already moved the case (roll-up, or the review they imply)
        try:
            transitions.case_transition(
                case=case,
                to_state=to_state,
                actor=request.user,
                note=form.cleaned_data.get("transition_note") or "",
                reason_code=form.cleaned_data.get("transition_reason"),
                **transitions.stated_time(
                    actor=request.user, moment=form.cleaned_data.get("transition_at")
                ),
            )
        except (ValidationError, PermissionDenied) as error:
            transaction.set_rollback(True)
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("Case %(ref)s moved to “%(state)s”.")
                % {"ref": case.reference, "state": S(to_state).label},
            )

    # -- columns -------------------------------------------------------------------------------

    @admin.display(description=_("source"))
    def source(self, obj):
        """Where the case came from: a monitoring sweep's finding (linked), or a report."""
        finding = (
            SweepFinding.objects.filter(case=obj).select_related("sweep").first()
            if obj.pk
            else None
        )
        if finding is None:
            return _("Reported to DIP")
        return format_html(
            '{} <a href="{}">{}</a> ({})',
            _("Found by DIP's monitoring sweep"),
            reverse("admin:takedowns_monitoringsweep_change", args=[finding.sweep_id]),
            finding.sweep.reference,
            format_date(finding.sweep.swept_on, "SHORT_DATE_FORMAT"),
        )

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, obj):
        end = obj.closed_at or self._now
        return _("%(days)s d") % {"days": (end - obj.created_at).days}

    @property
    def _now(self):
        return timezone.now()

    @admin.display(description=_("right type"), ordering="right__right_type")
    def right_type(self, obj):
        return obj.right.get_right_type_display()

    @admin.display(description=_("SLA"))
    def sla_flag(self, obj):
        if obj.is_overdue():
            return format_html(
                '<span class="td-sla-overdue" title="{}">⚠ {}</span>',
                _local(obj.sla_due_at),
                _("overdue"),
            )
        if obj.state in (S.FORWARDED, S.UNDER_PLATFORM_REVIEW, S.INFO_REQUESTED):
            return format_html('<span title="{}">{}</span>', _("due"), _local(obj.sla_due_at))
        if obj.decided_at and obj.sla_due_at:
            return _("met") if obj.decided_at <= obj.sla_due_at else _("late")
        return "—"

    @admin.display(description=_("repeat infringer"))
    def repeat_infringer(self, obj):
        items = getattr(obj, "prefetched_items", None) or []
        best = max(
            (item.seller for item in items if item.seller_id),
            key=lambda seller: seller.case_count,
            default=None,
        )
        if best is None or not best.is_repeat_infringer:
            return "—"
        return format_html('<strong class="td-repeat">{} ({})</strong>', best, best.case_count)

    # -- read-only displays ----------------------------------------------------------------------

    @admin.display(description=_("SLA"))
    def sla_status(self, obj):
        if not obj.sla_due_at:
            return "—"
        text = _("due %(due)s") % {"due": _local(obj.sla_due_at)}
        if obj.is_overdue():
            return format_html(
                '<strong class="td-sla-overdue">{} — {}</strong>', text, _("overdue")
            )
        return text

    @admin.display(description=_("paused for information"))
    def paused_display(self, obj):
        seconds = obj.paused_seconds_until(timezone.now())
        if obj.paused_since:
            return _("%(time)s (paused since %(since)s)") % {
                "time": _duration(seconds),
                "since": _local(obj.paused_since),
            }
        return _duration(seconds)

    @admin.display(description=_("time to takedown"))
    def time_to_takedown_display(self, obj):
        return _duration(obj.takedown_seconds)

    @admin.display(description=_("appeal deadlines"))
    def appeal_deadlines(self, obj):
        if not obj.first_appeal_deadline:
            return "—"
        parts = [
            _("first appeal by %(d)s (30 days after the notice)")
            % {"d": _local(obj.first_appeal_deadline)}
        ]
        if obj.respondent_is_creator:
            parts.append(_("creators may appeal once"))
        elif obj.second_appeal_deadline:
            parts.append(
                _("second appeal by %(d)s (15 days after the first was rejected)")
                % {"d": _local(obj.second_appeal_deadline)}
            )
        else:
            parts.append(_("second appeal: 15 days after the first is rejected"))
        parts.append(_("appeals so far: %(n)s") % {"n": obj.appeal_count})
        return "; ".join(str(p) for p in parts)


# --- reference data and children ------------------------------------------------------------


@admin.register(RightsHolder)
class RightsHolderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "name_en", "kind", "country", "contact_name")
    list_filter = ("kind",)
    search_fields = ("name", "name_en", "tax_id")


def _autocomplete_of(request, model, field_name: str) -> bool:
    """Whether ``request`` is the admin's autocomplete lookup for ``model.field_name``."""
    return (
        request.path == reverse("admin:autocomplete")
        and request.GET.get("app_label") == model._meta.app_label
        and request.GET.get("model_name") == model._meta.model_name
        and request.GET.get("field_name") == field_name
    )


@admin.register(ProtectedRight)
class ProtectedRightAdmin(RoleLimitedAdminMixin, SimpleHistoryAdmin):
    """The liaison sees the rights of its cases, every field of them; only the list filter's
    lookups are allowed (``?cases=<id>`` told which right a draft case relies on)."""

    limited_history_fields = None
    list_display = (
        "name",
        "right_type",
        "registration_number",
        "owner",
        "jurisdiction",
        "valid_from",
        "valid_until",
    )
    list_select_related = ("owner",)
    list_filter = ("right_type",)
    search_fields = ("name", "registration_number", "owner__name")
    autocomplete_fields = ("owner", "gi_product")

    def get_queryset(self, request):
        """The liaison's rights are those of its cases: this list, a right's page, its history,
        its certificate (the download view) and the right's autocomplete all follow it."""
        return selectors.rights_visible_to(
            user=request.user, queryset=super().get_queryset(request)
        )

    def get_search_results(self, request, queryset, search_term):
        """The case page's right autocomplete offers the chosen holder's own rights (sent by
        takedowns/case_form.js), unless the reporter acts on a letter or a power of attorney."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        holder = request.GET.get("holder", "")
        if (
            _autocomplete_of(request, TakedownCase, "right")
            and holder.isdigit()
            and request.GET.get("basis") not in BASES_NEEDING_AUTHORIZATION
        ):
            queryset = queryset.filter(owner_id=int(holder))
        return queryset, may_have_duplicates


@admin.register(ReasonCode)
class ReasonCodeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_th", "name_en", "use", "note_required", "active")
    list_filter = ("use", "active")

    def has_delete_permission(self, request, obj=None):
        return False  # events refer to them: deactivate instead


@admin.register(InfringingItem)
class InfringingItemAdmin(
    FastListMixin,
    CaseScopedMixin,
    NoPlatformExportMixin,
    PortalImportExportMixin,
    SimpleHistoryAdmin,
):
    resource_classes = [InfringingItemResource]
    list_display = ("normalized_url", "kind", "case", "seller_handle", "seller_cases", "outcome")
    list_select_related = ("case", "seller")
    list_filter = ("kind", "outcome", ItemRepeatFilter)
    search_fields = ("=seller_handle", "=normalized_url", "=case__reference")
    search_help_text = _("Part of a URL, a seller handle (or part of one), or a case reference.")
    autocomplete_fields = ("case",)
    readonly_fields = ("normalized_url", "outcome", "outcome_reason", "outcome_at")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    @admin.display(description=_("cases of this seller"), ordering="seller__case_count")
    def seller_cases(self, obj):
        return obj.seller.case_count if obj.seller_id else "—"

    @admin.display(description=_("cases of this seller"))
    def visible_seller_cases(self, obj):
        """The liaison's column: its own count, so not sorted by the stored one."""
        return self.seller_cases(obj)

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if is_platform_user(request.user):
            columns = tuple("visible_seller_cases" if c == "seller_cases" else c for c in columns)
        return columns

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        show_visible_case_counts(
            request, [item.seller for item in changelist.result_list if item.seller_id]
        )
        return changelist

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if REFERENCE_TERM.match(term):
            return queryset.filter(case__reference=term.upper()), False
        if _looks_like_url(term):
            try:
                fragment = normalize_url(term) if term.startswith("http") else term
            except ValueError:
                fragment = term
            return queryset.filter(
                normalized_url__icontains=fragment.removeprefix("https://")
            ), False
        return queryset.filter(seller_handle__contains=normalize_handle(term)), False

    def has_add_permission(self, request):
        return False  # items are added in their case

    def has_change_permission(self, request, obj=None):
        return False  # changed in their case, where the state rules apply

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlatformSeller)
class PlatformSellerAdmin(admin.ModelAdmin):
    list_display = ("handle", "case_count", "last_reported_at")
    search_fields = ("=handle",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_search_results(self, request, queryset, search_term):
        """The case page's seller suggestions (takedowns/case_form.js) match the start of a
        handle, most reported first; the list's search stays an exact handle."""
        if _autocomplete_of(request, InfringingItem, "seller"):
            return queryset.filter(handle__startswith=normalize_handle(search_term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(CaseScopedMixin, SimpleHistoryAdmin):
    """Evidence of any case in one list; adding and deleting follow the case page's rule
    (``case_items.CHILD_RULES``), whichever page or action is used."""

    form = EvidenceForm
    list_display = ("original_name", "case", "kind", "captured_at", "size", "sha256")
    list_select_related = ("case",)
    list_filter = ("kind",)
    search_fields = ("=sha256", "=case__reference")
    autocomplete_fields = ("case", "item")
    readonly_fields = ("original_name", "content_type", "size", "sha256", "uploaded_by")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        evidence.evidence_add(evidence=obj, actor=request.user)  # never changed (no permission)

    def delete_model(self, request, obj):
        evidence.evidence_delete(evidence=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        """The list's "delete selected": each through the same rule (the confirmation page has
        already refused a selection holding evidence of a case that does not allow it)."""
        for obj in queryset.select_related("case"):
            evidence.evidence_delete(evidence=obj, actor=request.user)

    def has_add_permission(self, request):
        return case_items.child_role_may(actor=request.user, model=Evidence, action="add")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return case_items.child_role_may(actor=request.user, model=Evidence, action="delete")
        return case_items.child_may(
            case=obj.case, model=Evidence, action="delete", actor=request.user
        )


@admin.register(StatusEvent)
class StatusEventAdmin(CaseScopedMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return platform_events_only(request, super().get_queryset(request))

    list_display = (
        "at",
        "reported_at",
        "case",
        "from_state",
        "to_state",
        "item_outcome",
        "actor",
        "reason_code",
    )
    list_select_related = ("case", "actor", "reason_code")
    list_filter = ("to_state",)
    search_fields = ("=case__reference",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from takedowns import admin_sweeps  # noqa: E402, F401  (monitoring sweeps)
