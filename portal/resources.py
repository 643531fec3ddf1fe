from import_export import fields

from portal.importing import PortalResource
from portal.models import Target


class TargetResource(PortalResource):
    workstream = fields.Field(attribute="workstream__code", column_name="workstream", readonly=True)

    class Meta:
        model = Target
        fields = (
            "id",
            "workstream",
            "name",
            "metric",
            "target_value",
            "unit",
            "period_start",
            "due_date",
        )
        export_order = fields
