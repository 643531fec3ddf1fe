from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.import_admin import PortalImportExportMixin
from portal.models import Agreement, Province, PublicHoliday, Target, Workstream
from portal.resources import TargetResource


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
    date_hierarchy = "date"
    search_fields = ("name",)


class WorkstreamInline(admin.TabularInline):
    model = Workstream
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("title", "parties", "signed_on", "valid_until")
    inlines = [WorkstreamInline]


class TargetInline(admin.TabularInline):
    model = Target
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
    list_display = ("name", "workstream", "metric", "target_value", "unit", "due_date")
    list_select_related = ("workstream",)
    list_filter = ("workstream__code", "metric")
    search_fields = ("name",)
