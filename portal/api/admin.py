from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portal.api.choices import TokenLifetime
from portal.api.models import ApiToken
from portal.api.services import api_token_issue, api_token_revoke
from portal.roles import LIAISON


class ApiTokenIssueForm(forms.ModelForm):
    lifetime = forms.TypedChoiceField(
        label=_("valid for"), choices=TokenLifetime.choices, coerce=int, initial=90
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=LIAISON)
            .order_by("username")
        )
        self.fields["user"].label = _("TikTok Liaison account")


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
            kwargs["form"] = ApiTokenIssueForm
            kwargs["fields"] = ("user", "name", "lifetime")
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "lifetime")
        return self.readonly_fields

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

    def save_related(self, request, form, formsets, change):
        pass  # no relations to save; the token row was written by the service

    def log_addition(self, request, obj, message):
        return super().log_addition(request, ApiToken.objects.get(pk=obj.pk), message)

    def response_add(self, request, obj, post_url_continue=None):
        token = ApiToken.objects.select_related("user").get(pk=obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API token issued"),
            "token": token,
            "plain_token": obj._plain_token,
        }
        response = TemplateResponse(request, "admin/api/apitoken/token_issued.html", context)
        response["Cache-Control"] = "no-store"
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
