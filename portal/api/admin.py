import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_filters import DateRangeFilter
from portal.api.bulk import (
    COLUMN_HELP,
    COLUMNS,
    SheetError,
    decision_upload_process,
    sheet_template,
)
from portal.api.choices import TokenLifetime, UploadStatus
from portal.api.models import ApiToken, DecisionUpload
from portal.api.services import api_token_issue, api_token_revoke
from portal.roles import DIP_ROLES, LIAISON, user_roles
from portal.security.limited_admin import RoleLimitedAdminMixin
from portal.security.uploads import IMPORT_TYPES, FileTypeValidator
from takedowns.choices import CaseState, ItemOutcome
from takedowns.decisions import platform_decisions
from takedowns.models import ReasonCode

#: The issue forms a supervisor opened and has not sent yet (their ids only: no secret).
OPEN_ISSUE_FORMS_SESSION_KEY = "api_token_issue_forms"
OPEN_ISSUE_FORMS_KEPT = 20


class ApiTokenIssueForm(forms.ModelForm):
    lifetime = forms.TypedChoiceField(
        label=_("valid for"), choices=TokenLifetime.choices, coerce=int, initial=90
    )
    #: One id per opened form: sending the form again (a reload of the page showing the token)
    #: finds it used and issues no second token.
    issue_form = forms.CharField(widget=forms.HiddenInput)
    session = None  # the request's session, set by ApiTokenAdmin.get_form

    class Meta:
        model = ApiToken
        fields = ("user", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, is_superuser=False, groups__name=LIAISON)
            .exclude(groups__name__in=DIP_ROLES)  # platform-only accounts (is_platform_user)
            .order_by("username")
        )
        self.fields["user"].label = _("TikTok Liaison account")

    def clean(self):
        cleaned_data = super().clean()
        form_id = cleaned_data.get("issue_form")
        if form_id not in self.session.get(OPEN_ISSUE_FORMS_SESSION_KEY, []):
            raise forms.ValidationError(
                _(
                    "This form was sent already, and the token it issued was shown then, once. "
                    "Open “Add API token” again to issue another."
                ),
                code="issue_form_used",
            )
        return cleaned_data


def open_issue_form(session) -> str:
    """A new issue form's id, remembered in the session until the form is sent."""
    form_id = secrets.token_urlsafe(16)
    open_forms = session.get(OPEN_ISSUE_FORMS_SESSION_KEY, [])
    session[OPEN_ISSUE_FORMS_SESSION_KEY] = [*open_forms, form_id][-OPEN_ISSUE_FORMS_KEPT:]
    return form_id


def close_issue_form(session, form_id: str) -> None:
    open_forms = session.get(OPEN_ISSUE_FORMS_SESSION_KEY, [])
    session[OPEN_ISSUE_FORMS_SESSION_KEY] = [f for f in open_forms if f != form_id]


ISSUE_FIELDS = ("user", "name", "lifetime", "issue_form")


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Supervisors issue tokens (shown once) and revoke them; nothing here shows a token again."""

    list_display = ("token_key", "user", "name", "created", "expiry", "status", "issued_by")
    list_select_related = ("user", "issued_by")
    search_fields = ("user__username", "name", "token_key")
    ordering = ("-created",)
    show_full_result_count = False
    actions = ["revoke_tokens"]
    readonly_fields = (
        "token_key",
        "user",
        "name",
        "created",
        "expiry",
        "issued_by",
        "revoked_at",
        "revoked_by",
    )

    @admin.display(description=_("status"))
    def status(self, obj: ApiToken):
        if obj.revoked_at:
            return _("revoked")
        if obj.is_expired:
            return _("expired")
        return _("active")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                ApiTokenIssueForm.__name__, (ApiTokenIssueForm,), {"session": request.session}
            )
            kwargs["fields"] = ISSUE_FIELDS
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ISSUE_FIELDS
        return self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {
            **super().get_changeform_initial_data(request),
            "issue_form": open_issue_form(request.session),
        }

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row stays for the audit trail

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only; revoking is the action below
        token, plain = api_token_issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            lifetime_days=form.cleaned_data["lifetime"],
            issued_by=request.user,
        )
        obj.pk = token.pk
        obj._plain_token = plain  # shown once by response_add, never stored
        close_issue_form(request.session, form.cleaned_data["issue_form"])

    def save_related(self, request, form, formsets, change):
        pass  # no relations to save; the token row was written by the service

    def log_addition(self, request, obj, message):
        return super().log_addition(request, ApiToken.objects.get(pk=obj.pk), message)

    def response_add(self, request, obj, post_url_continue=None):
        """The token is shown in the answer to the form that issued it, and kept nowhere: not in
        the session, not in any cache (``no-store``). Sending the form again issues no second
        token (``ApiTokenIssueForm.issue_form``)."""
        token = ApiToken.objects.select_related("user").get(pk=obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API token issued"),
            "token": token,
            "plain_token": obj._plain_token,
        }
        response = TemplateResponse(request, "admin/api/apitoken/token_issued.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        revoked = sum(api_token_revoke(token=t, revoked_by=request.user) for t in queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )


RESULT_ROWS_SHOWN = 1000


def _row_no(row: dict) -> int:
    return row["row"]


class DecisionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("decision sheet"),
        help_text=_("CSV (UTF-8) or XLSX, with the template's columns."),
        validators=[FileTypeValidator(IMPORT_TYPES)],
    )


def applied_message(changed: int, unchanged: int) -> str:
    """ "1 row applied, 2 rows already recorded.", in the user's language and plural forms."""
    applied = ngettext("%(count)d row applied", "%(count)d rows applied", changed) % {
        "count": changed
    }
    recorded = ngettext(
        "%(count)d row already recorded", "%(count)d rows already recorded", unchanged
    ) % {"count": unchanged}
    return _("%(applied)s, %(recorded)s.") % {"applied": applied, "recorded": recorded}


@admin.register(DecisionUpload)
class DecisionUploadAdmin(RoleLimitedAdminMixin, admin.ModelAdmin):
    """The liaison uploads the platform's decision sheet; each upload keeps its per-row results.
    A liaison sees only their own uploads (so lookups are only the list filters' ones)."""

    list_display = (
        "uploaded_at",
        "file_name",
        "uploaded_by",
        "status",
        "row_count",
        "changed_count",
        "unchanged_count",
        "error_count",
    )
    list_filter = ("status", ("uploaded_at", DateRangeFilter))
    list_select_related = ("uploaded_by",)
    show_full_result_count = False
    add_form_template = "admin/api/decisionupload/upload.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("results")
        if LIAISON in user_roles(request.user) and not request.user.is_superuser:
            return queryset.filter(uploaded_by=request.user)  # a liaison sees their own uploads
        return queryset

    def has_change_permission(self, request, obj=None):
        return False  # an upload is a record: read-only

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "template.<str:fmt>",
                self.admin_site.admin_view(self.template_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_template",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request, fmt: str):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if fmt not in ("csv", "xlsx"):
            raise Http404
        content, content_type = sheet_template(fmt=fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="decisions-template.{fmt}"'
        return response

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DecisionUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = decision_upload_process(
                    data=upload.read(), file_name=upload.name, user=request.user
                )
            except SheetError as error:
                form.add_error("file", str(error))
            else:
                if record.status == UploadStatus.APPLIED:
                    self.message_user(
                        request,
                        applied_message(record.changed_count, record.unchanged_count),
                        messages.SUCCESS,
                    )
                else:
                    self.message_user(
                        request,
                        ngettext(
                            "Nothing was written: %(errors)d row has an error. Fix it and upload "
                            "the whole file again.",
                            "Nothing was written: %(errors)d rows have errors. Fix them and upload "
                            "the whole file again.",
                            record.error_count,
                        )
                        % {"errors": record.error_count},
                        messages.ERROR,
                    )
                return HttpResponseRedirect(
                    reverse("admin:api_decisionupload_change", args=[record.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Upload platform decisions"),
            "form": form,
            "columns": [(name, COLUMN_HELP[name]) for name in COLUMNS],
            "decisions": [
                (state, CaseState(state).label) for state in platform_decisions(on_item=False)
            ],
            "outcomes": [
                (outcome, ItemOutcome(outcome).label)
                for outcome in platform_decisions(on_item=True)
            ],
            "reason_codes": ReasonCode.objects.filter(active=True).values_list("code", "name_en"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.add_form_template, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        if record is None or not self.has_view_permission(request, record):
            raise Http404 if record is None else PermissionDenied
        record = DecisionUpload.objects.get(pk=record.pk)  # with its results
        # Every row with an error, and the others up to a page's worth (a sheet may hold 20,000).
        errors = [row for row in record.results if row["errors"]]
        others = [row for row in record.results if not row["errors"]]
        shown = sorted(errors + others[: max(0, RESULT_ROWS_SHOWN - len(errors))], key=_row_no)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(record),
            "upload": record,
            "rows": shown,
            "hidden_rows": len(record.results) - len(shown),
            "has_add_permission": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/api/decisionupload/result.html", context)
