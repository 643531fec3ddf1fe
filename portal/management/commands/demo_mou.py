from datetime import date

from django.core.management.base import BaseCommand

from portal.choices import TargetMetric, WorkstreamCode
from portal.models import Agreement, Target, Workstream

TARGETS = {
    WorkstreamCode.GI_PROMOTION: [
        ("GI products promoted on TikTok Shop", TargetMetric.GI_PRODUCTS_LISTED, 100, "products"),
        ("GI sellers with a live shop", TargetMetric.SELLERS_ONBOARDED, 300, "shops"),
        ("Short clips, LIVEs and campaigns", TargetMetric.PROMOTION_ACTIVITIES, 500, "activities"),
        ("GMV from GI promotion", TargetMetric.PROMOTION_GMV, 50_000_000, "THB"),
    ],
    WorkstreamCode.IP_PROTECTION: [
        ("Reports forwarded to the IPPC", TargetMetric.CASES_FORWARDED, 1000, "cases"),
        ("Decided cases removed", TargetMetric.REMOVAL_RATE, 90, "%"),
        ("Decisions within 3 working days", TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS, 80, "%"),
    ],
    WorkstreamCode.CAPACITY_BUILDING: [
        ("DIP staff trained on platform tools", TargetMetric.PEOPLE_TRAINED, 200, "people"),
        ("Training sessions", TargetMetric.TRAINING_SESSIONS, 20, "sessions"),
        ("Consultations for entrepreneurs", TargetMetric.CONSULTATIONS, 400, "consultations"),
    ],
}


class Command(BaseCommand):
    help = "Create the MOU, its three workstreams and demo targets (idempotent)."

    def handle(self, *args, **options):
        agreement, _ = Agreement.objects.get_or_create(
            title="บันทึกความเข้าใจว่าด้วยความร่วมมือด้านทรัพย์สินทางปัญญา กรมทรัพย์สินทางปัญญา × TikTok",
            defaults={
                "parties": "กรมทรัพย์สินทางปัญญา กระทรวงพาณิชย์; TikTok Shop (Thailand)",
                "signed_on": date(2026, 1, 15),
                "valid_until": date(2028, 1, 14),
                "summary": "GI promotion, Notice & Takedown with the IPPC, capacity building.",
            },
        )
        for code, targets in TARGETS.items():
            workstream, _ = Workstream.objects.get_or_create(agreement=agreement, code=code)
            for name, metric, value, unit in targets:
                Target.objects.get_or_create(
                    workstream=workstream,
                    metric=metric,
                    defaults={
                        "name": name,
                        "target_value": value,
                        "unit": unit,
                        "period_start": agreement.signed_on,
                        "due_date": agreement.valid_until,
                    },
                )
        self.stdout.write(f"MOU ready: {Target.objects.count()} targets")
