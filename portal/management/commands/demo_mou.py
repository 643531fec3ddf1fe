from datetime import date

from django.core.management.base import BaseCommand

from portal.choices import TargetMetric, WorkstreamCode
from portal.models import Agreement, Target, Workstream

#: The targets as DIP staff type them: names and units in Thai.
TARGETS = {
    WorkstreamCode.GI_PROMOTION: [
        ("สินค้า GI ที่โปรโมตบน TikTok Shop", TargetMetric.GI_PRODUCTS_LISTED, 100, "รายการ"),
        ("ผู้ขายสินค้า GI ที่มีร้านค้าเปิดขายแล้ว", TargetMetric.SELLERS_ONBOARDED, 300, "ร้าน"),
        ("คลิปสั้น ไลฟ์ และแคมเปญ", TargetMetric.PROMOTION_ACTIVITIES, 500, "กิจกรรม"),
        ("ยอดขาย (GMV) จากการโปรโมตสินค้า GI", TargetMetric.PROMOTION_GMV, 50_000_000, "บาท"),
    ],
    WorkstreamCode.IP_PROTECTION: [
        ("เรื่องที่ส่งต่อให้ IPPC", TargetMetric.CASES_FORWARDED, 1000, "เรื่อง"),
        ("เรื่องที่ตัดสินแล้วและนำออก", TargetMetric.REMOVAL_RATE, 90, "%"),
        ("ตัดสินภายใน 3 วันทำการ", TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS, 80, "%"),
    ],
    WorkstreamCode.CAPACITY_BUILDING: [
        ("เจ้าหน้าที่ที่ผ่านการอบรมเครื่องมือของแพลตฟอร์ม", TargetMetric.PEOPLE_TRAINED, 200, "คน"),
        ("รอบการอบรม", TargetMetric.TRAINING_SESSIONS, 20, "รอบ"),
        ("การให้คำปรึกษาแก่ผู้ประกอบการ", TargetMetric.CONSULTATIONS, 400, "ครั้ง"),
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
                "summary": "ส่งเสริมสินค้า GI, แจ้งและนำออกสินค้าละเมิดร่วมกับ IPPC, พัฒนาศักยภาพบุคลากร",
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
