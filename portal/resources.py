from datetime import date

from import_export import fields

from portal.importing import PortalResource
from portal.models import Target


class TargetResource(PortalResource):
    workstream = fields.Field(attribute="workstream__code", column_name="workstream", readonly=True)

    template_example = {
        "workstream": "gi_promotion",
        "name": "สินค้า GI ที่โปรโมตบน TikTok Shop",
        "metric": "gi_products_listed",
        "target_value": 100,
        "unit": "รายการ",
        "period_start": date(2026, 1, 1),
        "due_date": date(2027, 12, 31),
    }

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
