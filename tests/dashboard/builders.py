"""Small builders for the dashboard tests: rows with only the fields a figure reads."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from gi_catalog.choices import ActivityKind, GICategory, OnboardingStatus, SellerKind
from gi_catalog.models import GIProduct, OnboardingApplication, PromotionActivity, Seller
from portal.choices import TargetMetric, WorkstreamCode
from portal.models import Agreement, Target, Workstream
from training.choices import ConsultationChannel, ConsultationTopic, Division
from training.models import Attendance, Consultation, Course, Participant, TrainingSession

BKK = ZoneInfo("Asia/Bangkok")
_seq = count(1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BKK)


def product(**extra) -> GIProduct:
    n = next(_seq)
    return GIProduct.objects.create(
        name_th=f"สินค้า {n}", category=GICategory.FOOD, registration_number=f"GI{n:06d}", **extra
    )


def seller(**extra) -> Seller:
    n = next(_seq)
    return Seller.objects.create(
        name=f"วิสาหกิจ {n}", kind=SellerKind.COMMUNITY_ENTERPRISE, tax_id=f"{n:013d}", **extra
    )


def application(status=OnboardingStatus.DRAFT, *, created: datetime, **moments):
    app = OnboardingApplication.objects.create(seller=seller(), status=status, **moments)
    OnboardingApplication.objects.filter(pk=app.pk).update(created_at=created)
    return app


def activity(day: date, gmv="0", views=0, orders=0, title="กิจกรรม", **extra) -> PromotionActivity:
    n = next(_seq)
    return PromotionActivity.objects.create(
        kind=ActivityKind.LIVE,
        title=title,
        held_on=day,
        url=f"https://www.tiktok.com/@shop/live/{n}",
        gmv_thb=Decimal(gmv),
        views=views,
        orders=orders,
        **extra,
    )


def course(code="SC101") -> Course:
    return Course.objects.get_or_create(
        code=code,
        defaults={"title_th": "ศูนย์ผู้ขาย", "title_en": "Seller Center", "tool": "seller_center"},
    )[0]


def session(course_, starts: datetime, capacity=30) -> TrainingSession:
    return TrainingSession.objects.create(
        course=course_,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        venue="กรมทรัพย์สินทางปัญญา",
        trainer="วิทยากร",
        capacity=capacity,
    )


def participant(name=None) -> Participant:
    n = next(_seq)
    return Participant.objects.create(
        name=name or f"เจ้าหน้าที่ {n}", division=Division.GI, email=f"staff{n}@ipthailand.go.th"
    )


def attendance(session_, person, *, attended=False, completed=False) -> Attendance:
    return Attendance.objects.create(
        session=session_,
        participant=person,
        attended=attended,
        completed=completed,
        certificate_number=f"CERT-{next(_seq)}" if completed else None,
    )


def consultation(day: date, topic=ConsultationTopic.GI, follow_up="", adviser=None) -> Consultation:
    return Consultation.objects.create(
        entrepreneur_name=f"ผู้ประกอบการ {next(_seq)}",
        topic=topic,
        channel=ConsultationChannel.PHONE,
        consulted_on=day,
        adviser=adviser or participant(),
        summary="คำแนะนำ",
        follow_up=follow_up,
        follow_up_on=day if follow_up else None,
    )


def target(
    metric: TargetMetric, value, *, start=date(2026, 1, 1), due=date(2027, 12, 31), name=None
):
    agreement, _ = Agreement.objects.get_or_create(
        title="MOU", defaults={"parties": "DIP; TikTok", "signed_on": date(2026, 1, 1)}
    )
    code = {
        TargetMetric.GI_PRODUCTS_LISTED: WorkstreamCode.GI_PROMOTION,
        TargetMetric.SELLERS_ONBOARDED: WorkstreamCode.GI_PROMOTION,
        TargetMetric.PROMOTION_ACTIVITIES: WorkstreamCode.GI_PROMOTION,
        TargetMetric.PROMOTION_GMV: WorkstreamCode.GI_PROMOTION,
        TargetMetric.PEOPLE_TRAINED: WorkstreamCode.CAPACITY_BUILDING,
        TargetMetric.TRAINING_SESSIONS: WorkstreamCode.CAPACITY_BUILDING,
        TargetMetric.CONSULTATIONS: WorkstreamCode.CAPACITY_BUILDING,
    }.get(metric, WorkstreamCode.IP_PROTECTION)
    workstream, _ = Workstream.objects.get_or_create(agreement=agreement, code=code)
    return Target.objects.create(
        workstream=workstream,
        name=name or str(metric.label),
        metric=metric,
        target_value=value,
        unit="x",
        period_start=start,
        due_date=due,
    )


# --- takedowns: cases moved through the real state machine ---------------------------------------


def rights():
    from takedowns.choices import HolderKind, RightType
    from takedowns.models import ProtectedRight, RightsHolder

    holder = RightsHolder.objects.create(name=f"เจ้าของสิทธิ {next(_seq)}", kind=HolderKind.COMPANY)
    right = ProtectedRight.objects.create(
        right_type=RightType.TRADEMARK, name="ตราสินค้า", owner=holder
    )
    return holder, right


def case(created: datetime, *handles: str, priority="normal"):
    from takedowns.choices import InfringementType, ItemKind
    from takedowns.models import InfringingItem, TakedownCase
    from takedowns.transitions import case_create

    holder, right = rights()
    new = TakedownCase(
        title="สินค้าปลอม",
        summary_en="Counterfeit goods under the holder's trademark.",
        rights_holder=holder,
        right=right,
        infringement_type=InfringementType.COUNTERFEIT,
        priority=priority,
        reporter_name="เจ้าหน้าที่",
        reporter_email="officer@ipthailand.go.th",
        created_at=created,
    )
    case_create(case=new, actor=None)
    for handle in handles or ("",):
        InfringingItem.objects.create(
            case=new,
            kind=ItemKind.LISTING,
            url=f"https://shop.tiktok.com/view/product/{next(_seq)}",
            seller_handle=handle,
        )
    return new


REASONS = {
    "info_requested": "other",
    "not_removed": "no_infringement",
    "reinstated": "no_infringement",
}


def move(case_, actor, *steps):
    """Apply (to_state, at) steps with ``takedowns.transitions.case_transition``."""
    from takedowns.models import ReasonCode
    from takedowns.transitions import case_transition

    for code, use in (("no_infringement", "refusal"), ("other", "any")):
        # Seeded by a migration; a transactional test may have flushed them.
        ReasonCode.objects.get_or_create(
            code=code,
            defaults={"name_th": code, "name_en": code, "use": use, "note_required": False},
        )
    for to_state, moment in steps:
        case_ = case_transition(
            case=case_,
            to_state=to_state,
            actor=actor,
            at=moment,
            note="บันทึก",
            reason_code=REASONS.get(to_state, ""),
        )
    return case_


def forward(case_, actor, moment: datetime):
    """draft → dip_review → ready_to_forward → forwarded at ``moment``."""
    before = moment - timedelta(minutes=30)
    return move(
        case_,
        actor,
        ("dip_review", before),
        ("ready_to_forward", before + timedelta(minutes=10)),
        ("forwarded", moment),
    )


def counted():
    """Rebuild the takedown counts per day (``CaseDay``) from the cases built so far, as the beat
    task does every 10 minutes; figures read by a test straight from the selectors need it."""
    from portal.dashboard.services import case_days_refresh

    return case_days_refresh()
