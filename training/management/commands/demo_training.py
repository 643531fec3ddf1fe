"""Demo data for training: courses on TikTok's tools, a year of sessions, DIP staff, attendance,
certificates and consultations. Idempotent: a second run adds nothing."""

import random
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from portal.models import Province
from training import services
from training.choices import (
    ConsultationChannel,
    ConsultationTopic,
    Division,
    FollowUp,
    PlatformTool,
    SessionMode,
)
from training.models import (
    Attendance,
    CertificateSignatory,
    Consultation,
    Course,
    Participant,
    TrainingSession,
)

COURSES = [
    # code, Thai title, English title, tool, hours, pass mark
    (
        "SC-101",
        "การใช้งาน TikTok Shop Seller Center สำหรับเจ้าหน้าที่",
        "TikTok Shop Seller Center for DIP officers",
        PlatformTool.SELLER_CENTER,
        6,
        None,
    ),
    (
        "LIVE-101",
        "เครื่องมือ LIVE สำหรับการขายสินค้า GI",
        "LIVE tools for selling GI products",
        PlatformTool.LIVE_TOOLS,
        3,
        None,
    ),
    (
        "AN-101",
        "การอ่านข้อมูลวิเคราะห์ร้านค้าและคอนเทนต์",
        "Reading shop and content analytics",
        PlatformTool.ANALYTICS,
        3,
        60,
    ),
    (
        "IPPC-201",
        "การแจ้งละเมิดทรัพย์สินทางปัญญาผ่าน IPPC",
        "Reporting IP infringement to the IPPC",
        PlatformTool.IPPC_REPORTING,
        6,
        70,
    ),
    (
        "MON-201",
        "การเฝ้าระวังคอนเทนต์และสินค้าละเมิดบนแพลตฟอร์ม",
        "Monitoring content and listings for infringement",
        PlatformTool.CONTENT_MONITORING,
        6,
        70,
    ),
]
VENUES = [
    "ห้องประชุม TikTok Thailand อาคารเอไอเอ แคปปิตอล เซ็นเตอร์ กรุงเทพฯ",
    "ห้องประชุมกรมทรัพย์สินทางปัญญา กระทรวงพาณิชย์",
    "โรงแรมเซ็นทารา แกรนด์ เซ็นทรัลเวิลด์ กรุงเทพฯ",
]
TRAINERS = ["TikTok Shop Academy", "ทีม IPPC TikTok Shop", "ทีม Seller Operations TikTok Shop"]
EMAIL_DOMAIN = "ipthailand.go.th"
SUMMARIES = {
    ConsultationTopic.TRADEMARK: "แนะนำการตรวจค้นและยื่นจดทะเบียนเครื่องหมายการค้าก่อนเปิดร้าน",
    ConsultationTopic.GI: "อธิบายการขออนุญาตใช้ตราสัญลักษณ์ GI และเงื่อนไขการควบคุมคุณภาพ",
    ConsultationTopic.COPYRIGHT: "แนะนำการแจ้งข้อมูลลิขสิทธิ์ภาพถ่ายและคลิปสินค้า",
    ConsultationTopic.PATENT_DESIGN: "แนะนำการยื่นคำขอรับสิทธิบัตรการออกแบบผลิตภัณฑ์บรรจุภัณฑ์",
    ConsultationTopic.TIKTOK_SHOP_TOOLS: "สอนตั้งค่าร้านค้า การไลฟ์ขายสินค้า และการอ่านสถิติร้าน",
    ConsultationTopic.OTHER: "ตอบคำถามทั่วไปเรื่องการคุ้มครองทรัพย์สินทางปัญญาออนไลน์",
}
FOLLOW_UPS = {
    ConsultationTopic.TRADEMARK: FollowUp.TRADEMARK_FILED,
    ConsultationTopic.GI: FollowUp.GI_AUTHORIZATION_REQUESTED,
    ConsultationTopic.COPYRIGHT: FollowUp.COPYRIGHT_RECORDED,
    ConsultationTopic.PATENT_DESIGN: FollowUp.PATENT_DESIGN_FILED,
    ConsultationTopic.TIKTOK_SHOP_TOOLS: FollowUp.SELLER_ONBOARDED,
    ConsultationTopic.OTHER: FollowUp.REFERRED,
}


class Command(BaseCommand):
    help = "Create demo courses, sessions, DIP staff, attendance and consultations (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=150)
        parser.add_argument("--consultations", type=int, default=300)
        parser.add_argument("--sessions", type=int, default=25, help="one every other week")

    @transaction.atomic
    def handle(self, *args, participants, consultations, sessions, **options):
        self.random = random.Random(2026)
        self.fake = Faker("th_TH")
        self.fake.seed_instance(2026)
        courses = self.courses()
        self.signatory()
        staff = self.participants(participants)
        if not TrainingSession.objects.filter(reference__startswith="DEMO-").exists():
            self.sessions(courses, staff, sessions)
        if not Consultation.objects.filter(adviser__email__endswith=f"@{EMAIL_DOMAIN}").exists():
            self.consultations(staff, consultations)
        self.stdout.write(
            f"Training ready: {Course.objects.count()} courses, "
            f"{TrainingSession.objects.count()} sessions, {Participant.objects.count()} participants, "
            f"{Attendance.objects.filter(completed=True).count()} certificates, "
            f"{Consultation.objects.count()} consultations"
        )

    def signatory(self):
        """Who signs the demo's certificates (a supervisor keeps the real one, with its seal)."""
        CertificateSignatory.objects.get_or_create(
            signs_from=date(2024, 1, 1),
            defaults={
                "name_th": "นางสาวตัวอย่าง ลงนาม",
                "name_en": "Ms Tua-yang Longnam",
                "title_th": "อธิบดีกรมทรัพย์สินทางปัญญา",
                "title_en": "Director-General, Department of Intellectual Property",
            },
        )

    def courses(self):
        courses = []
        for code, title_th, title_en, tool, hours, pass_mark in COURSES:
            course, _ = Course.objects.get_or_create(
                code=code,
                defaults={
                    "title_th": title_th,
                    "title_en": title_en,
                    "tool": tool,
                    "duration_hours": hours,
                    "pass_mark": pass_mark,
                    "description": title_en,
                },
            )
            courses.append(course)
        return courses

    def participants(self, count):
        divisions = [d for d in Division.values if d != Division.OTHER]
        weights = [
            4 if d in ("gi", "enforcement", "trademark", "promotion") else 1 for d in divisions
        ]
        positions = ["นักวิชาการพาณิชย์", "นิติกร", "นักวิชาการคอมพิวเตอร์", "เจ้าพนักงานธุรการ"]
        staff = []
        for n in range(1, count + 1):
            participant, _ = Participant.objects.get_or_create(
                email=f"staff{n:03d}@{EMAIL_DOMAIN}",
                defaults={
                    "name": self.fake.name(),
                    "division": self.random.choices(divisions, weights)[0],
                    "position": self.random.choice(positions)
                    + self.random.choice(["", "ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ"]),
                    "phone": f"02-547-{4600 + n:04d}",
                },
            )
            staff.append(participant)
        return staff

    def sessions(self, courses, staff, count):
        today = timezone.localdate()
        bangkok = Province.objects.filter(code="TH-10").first()
        for week in range(2 * count, 0, -2):  # every other week, up to today
            course = courses[week % len(courses)]
            day = today - timedelta(weeks=week) + timedelta(days=self.random.randint(0, 3))
            online = week % 3 == 0
            starts = timezone.make_aware(datetime.combine(day, time(9, 0)))
            session = TrainingSession.objects.create(
                course=course,
                reference=f"DEMO-{course.code}-{day:%Y%m%d}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=float(course.duration_hours or 3)),
                mode=SessionMode.ONLINE if online else SessionMode.ON_SITE,
                venue="" if online else self.random.choice(VENUES),
                province=None if online else bangkok,
                online_url=f"https://meet.example.org/dip-tiktok-{day:%Y%m%d}" if online else "",
                trainer=self.random.choice(TRAINERS),
                capacity=self.random.choice([25, 30, 40]),
            )
            seats = self.random.randint(session.capacity * 2 // 3, session.capacity)
            for participant in self.random.sample(staff, seats):
                attended = self.random.random() < 0.88
                score = self.random.randint(45, 100) if attended and course.pass_mark else None
                passed = course.pass_mark is None or (score or 0) >= course.pass_mark
                services.attendance_register(
                    session=session,
                    participant=participant,
                    attended=attended,
                    score=score,
                    completed=attended and passed,
                )

    def consultations(self, staff, count):
        today = timezone.localdate()
        trained = (
            list(
                Participant.objects.filter(
                    attendances__completed=True, email__endswith=EMAIL_DOMAIN
                )
                .distinct()
                .order_by("pk")
            )
            or staff
        )
        provinces = list(Province.objects.all())
        sellers = self._sellers()
        topics = list(ConsultationTopic)
        topic_weights = [5, 4, 2, 1, 6, 1]
        channels = list(ConsultationChannel)
        created = 0
        while created < count:
            topic = self.random.choices(topics, topic_weights)[0]
            day = today - timedelta(days=self.random.randint(0, 364))
            seller = self.random.choice(sellers) if sellers and self.random.random() < 0.3 else None
            consultation = Consultation(
                seller=seller,
                entrepreneur_name=seller.name if seller else self.fake.company(),
                contact="" if seller else f"08{self.random.randint(10000000, 99999999)}",
                province=(seller.province if seller else None) or self.random.choice(provinces),
                topic=topic,
                channel=self.random.choice(channels),
                consulted_on=day,
                adviser=self.random.choice(trained),
                summary=SUMMARIES[topic],
            )
            if self.random.random() < 0.4:
                follow_up_on = day + timedelta(days=self.random.randint(3, 60))
                if follow_up_on <= today:
                    consultation.follow_up = FOLLOW_UPS[topic]
                    consultation.follow_up_on = follow_up_on
                    consultation.follow_up_note = "ติดตามผลทางโทรศัพท์"
            if Consultation.objects.filter(
                consulted_on=day,
                adviser=consultation.adviser,
                entrepreneur_name=consultation.entrepreneur_name,
                topic=topic,
            ).exists():
                continue
            consultation.full_clean()
            consultation.save()
            created += 1

    def _sellers(self):
        seller_model = Consultation._meta.get_field(
            "seller"
        ).related_model  # not imported: see resources
        return list(seller_model.objects.select_related("province")[:200])
