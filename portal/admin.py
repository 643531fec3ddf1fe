from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_filters import DateRangeFilter
from portal.import_admin import PortalImportExportMixin
from portal.models import Agreement, Province, PublicHoliday, Target, Workstream
from portal.numbers import readable_number, whole_or_decimal
from portal.resources import TargetResource
from portal.roles import DIP_ROLES, user_roles

admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class PersonAdmin(UserAdmin):
    """Django's account pages (for superusers), and the people that forms pick by autocomplete
    (a case's assigned officer, a participant's portal account): searched by name or login,
    shown by name (``portal.people``)."""

    def has_view_permission(self, request, obj=None):
        """The autocomplete for DIP staff too; the liaison and managers never list people."""
        if super().has_view_permission(request, obj):
            return True
        match = request.resolver_match
        return (
            match is not None
            and match.url_name == "autocomplete"
            and bool(user_roles(request.user) & DIP_ROLES)
        )


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "subdivision_type")
    list_filter = ("subdivision_type",)
    search_fields = ("code", "name_th", "name_en")
    ordering = ("code",)

    def has_add_permission(self, request):
        return False  # reference data comes from ISO 3166-2 (see the migration)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicHoliday)
class PublicHolidayAdmin(SimpleHistoryAdmin):
    list_display = ("date", "name")
    list_filter = (("date", DateRangeFilter),)  # not a date hierarchy: its years are CE
    search_fields = ("name",)


class WorkstreamInline(admin.TabularInline):
    model = Workstream
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("title", "parties", "signed_on", "valid_until")
    inlines = [WorkstreamInline]


class TargetForm(forms.ModelForm):
    """A whole target value is edited as one ("20", not "20.00")."""

    class Meta:
        model = Target
        fields = (
            "workstream",
            "name",
            "metric",
            "target_value",
            "unit",
            "period_start",
            "due_date",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.initial.get("target_value")
        if value is not None:
            self.initial["target_value"] = whole_or_decimal(value)


class TargetInline(admin.TabularInline):
    model = Target
    form = TargetForm
    extra = 0


@admin.register(Workstream)
class WorkstreamAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "agreement", "lead")
    list_select_related = ("agreement",)
    list_filter = ("code",)
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(PortalImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [TargetResource]
    form = TargetForm
    list_display = ("name", "workstream", "metric", "target", "due_date")
    list_select_related = ("workstream",)
    list_filter = ("workstream__code", "metric")
    search_fields = ("name",)

    @admin.display(description=_("target"), ordering="target_value")
    def target(self, obj):
        return f"{readable_number(obj.target_value)} {obj.unit}"
