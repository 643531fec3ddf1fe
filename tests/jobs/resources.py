"""Resources over core models that the job tests import through (any Resource works)."""

from import_export import fields
from import_export.widgets import ForeignKeyWidget

from portal.importing import PortalResource
from portal.models import PublicHoliday, Target, Workstream


class HolidayResource(PortalResource):
    """Natural key: the date — a re-import updates the name."""

    class Meta:
        model = PublicHoliday
        import_id_fields = ("date",)
        fields = ("date", "name")
        clean_model_instances = True


class HolidayByIdResource(PortalResource):
    """Key: the id, so a new row with a date already in the table breaks the unique date."""

    optional_columns = ("id",)

    class Meta:
        model = PublicHoliday
        import_id_fields = ("id",)
        fields = ("id", "date", "name")
        clean_model_instances = True


class TargetImportResource(PortalResource):
    workstream = fields.Field(
        attribute="workstream", column_name="workstream", widget=ForeignKeyWidget(Workstream)
    )

    class Meta:
        model = Target
        import_id_fields = ("name",)
        fields = (
            "name",
            "workstream",
            "metric",
            "target_value",
            "unit",
            "period_start",
            "due_date",
        )
        clean_model_instances = True


class HolidayWithHookResource(HolidayResource):
    """Has its own save hook: the job must save row by row through the Resource."""

    saved: list = []

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        type(self).saved.append((instance.pk, kwargs.get("row_number")))


class HolidayLookingAheadResource(HolidayResource):
    """Looks a chunk's rows up at once (``before_import_rows``): what it was given is kept."""

    chunks: list = []

    def before_import_rows(self, rows):
        type(self).chunks.append([dict(row) for row in rows])
