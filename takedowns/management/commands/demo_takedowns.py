"""Demo takedown data: Thai rights holders, rights (GIs linked to the catalog), ~200 cases in every
state with items, evidence-free event logs and believable timings. Idempotent: cases made by an
earlier run are kept and counted, never duplicated."""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from gi_catalog.models import GIProduct
from takedowns import case_items, infringers, sla, transitions
from takedowns.choices import (
    CaseState,
    HolderKind,
    InfringementType,
    ItemKind,
    ItemOutcome,
    Priority,
    ReporterBasis,
    RightType,
)
from takedowns.models import InfringingItem, ProtectedRight, RightsHolder, TakedownCase

S = CaseState
SEED = 2026
CASES = 200
DEMO_MARK = "[demo]"
DEMO_SUMMARY_EN = (
    "Listings on TikTok Shop infringe the registered {type} no. {number}; the rights holder "
    "asks for their removal."
)
LETTER = "takedowns/authorizations/demo-letter-of-authorization.pdf"

COMPANIES = [
    ("บริษัท ไทยซิลค์ คอลเลกชัน จำกัด", "Thai Silk Collection Co., Ltd.", RightType.TRADEMARK),
    ("บริษัท สยามเครื่องสำอาง จำกัด", "Siam Cosmetics Co., Ltd.", RightType.TRADEMARK),
    ("บริษัท ช้างทองอาหาร จำกัด (มหาชน)", "Chang Thong Food PCL", RightType.TRADEMARK),
    (
        "บริษัท มิวสิคสยาม เอนเตอร์เทนเมนต์ จำกัด",
        "Music Siam Entertainment Co., Ltd.",
        RightType.COPYRIGHT,
    ),
    ("บริษัท ดีไซน์ไทย เฟอร์นิเจอร์ จำกัด", "Design Thai Furniture Co., Ltd.", RightType.DESIGN),
    ("บริษัท ไทยอินโนเวชั่น เฮลท์ จำกัด", "Thai Innovation Health Co., Ltd.", RightType.PATENT),
]
#: Each GI community with the GI (Thai name in the register) whose right it holds.
GI_COMMUNITIES = [
    ("วิสาหกิจชุมชนผู้ผลิตข้าวหอมมะลิทุ่งกุลาร้องไห้", "ข้าวหอมมะลิทุ่งกุลาร้องไห้"),
    ("สหกรณ์การเกษตรผู้ปลูกกาแฟดอยช้าง", "กาแฟดอยช้าง"),
    ("กลุ่มผู้ผลิตผ้าไหมแพรวากาฬสินธุ์", "ผ้าไหมแพรวากาฬสินธุ์"),
    ("วิสาหกิจชุมชนทุเรียนหลงลับแลอุตรดิตถ์", "ทุเรียนหลงลับแลอุตรดิตถ์"),
    ("กลุ่มเกษตรกรส้มโอนครชัยศรี", "ส้มโอนครชัยศรี"),
    ("สมาคมผู้ประมงปลาทูแม่กลอง", "ปลาทูแม่กลอง"),
]
# Where the demo cases end up: every state, weighted like a live year of the MOU.
TARGETS = (
    [S.DRAFT] * 14
    + [S.DIP_REVIEW] * 12
    + [S.READY_TO_FORWARD] * 8
    + [S.FORWARDED] * 10
    + [S.UNDER_PLATFORM_REVIEW] * 14
    + [S.INFO_REQUESTED] * 8
    + [S.REMOVED] * 40
    + [S.PARTIALLY_REMOVED] * 12
    + [S.NOT_REMOVED] * 12
    + [S.ALREADY_UNAVAILABLE] * 8
    + [S.APPEALED] * 6
    + [S.REMOVAL_UPHELD] * 6
    + [S.REINSTATED] * 4
    + [S.CLOSED] * 36
    + [S.WITHDRAWN] * 10
)
PRODUCT_WORDS = [
    "ข้าวหอมมะลิ",
    "กาแฟดอยช้าง",
    "ผ้าไหมแพรวา",
    "ทุเรียนหลงลับแล",
    "ส้มโอนครชัยศรี",
    "เกลือบ้านแหลม",
    "กระเป๋าแบรนด์เนม",
    "ครีมบำรุงผิว",
    "เพลงประกอบคลิป",
    "เก้าอี้ไม้สัก",
]


class Command(BaseCommand):
    help = "Create demo rights holders, rights and ~200 takedown cases (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=CASES, help="how many demo cases in all")

    def handle(self, *args, **options):
        rng = random.Random(SEED)
        targets = list(TARGETS)
        random.Random(SEED).shuffle(targets)
        fake = Faker("th_TH")
        fake.seed_instance(SEED)
        users = self._users()
        if not default_storage.exists(LETTER):
            default_storage.save(LETTER, ContentFile(b"%PDF-1.4\n% demo letter of authorization\n"))
        rights = self._rights(rng, fake)
        existing = TakedownCase.objects.filter(internal_note__startswith=DEMO_MARK).count()
        made = 0
        for number, target in enumerate(targets[existing : options["cases"]], start=existing):
            with transaction.atomic():
                self._case(rng, fake, users, rights, number, target)
            made += 1
        infringers.seller_counts_refresh()
        now = timezone.now()
        sla.overdue_cases(now=now).filter(sla_breached=False).update(
            sla_breached=True, sla_notified_at=now
        )
        self.stdout.write(
            f"Takedowns: {TakedownCase.objects.count()} cases ({made} new), "
            f"{InfringingItem.objects.count()} items, {ProtectedRight.objects.count()} rights."
        )

    # -- reference data ----------------------------------------------------------------------

    def _users(self):
        User = get_user_model()
        if User.objects.filter(username__in=["officer", "supervisor", "liaison"]).count() != 3:
            call_command("demo_users", verbosity=0)
        return {
            name: User.objects.get(username=name) for name in ("officer", "supervisor", "liaison")
        }

    def _rights(self, rng, fake):
        rights = []
        for number, (name, name_en, right_type) in enumerate(COMPANIES):
            holder, _ = RightsHolder.objects.get_or_create(
                name=name,
                defaults={
                    "name_en": name_en,
                    "kind": HolderKind.COMPANY,
                    "contact_name": fake.name(),
                    "contact_email": f"legal{number}@example.co.th",
                    "contact_phone": fake.phone_number(),
                    "address": fake.address(),
                },
            )
            prefix = {
                RightType.TRADEMARK: "ค",
                RightType.COPYRIGHT: "ลข",
                RightType.DESIGN: "อส",
                RightType.PATENT: "สป",
            }[right_type]
            right, _ = ProtectedRight.objects.get_or_create(
                right_type=right_type,
                registration_number=f"{prefix}{600100 + number * 37}",
                jurisdiction="TH",
                defaults={
                    "name": name_en.split(" Co")[0],
                    "owner": holder,
                    "valid_from": date(2019, 3, 1) + timedelta(days=90 * number),
                    "valid_until": date(2029, 2, 28) + timedelta(days=90 * number),
                },
            )
            rights.append(right)
        products = {
            product.name_th: product
            for product in GIProduct.objects.filter(
                name_th__in=[gi_name for _, gi_name in GI_COMMUNITIES]
            )
        }
        for number, (community, gi_name) in enumerate(GI_COMMUNITIES):
            holder, _ = RightsHolder.objects.get_or_create(
                name=community,
                defaults={
                    "kind": HolderKind.GI_COMMUNITY,
                    "contact_name": fake.name(),
                    "contact_email": f"gi{number}@example.or.th",
                    "contact_phone": fake.phone_number(),
                    "address": fake.address(),
                },
            )
            product = products.get(gi_name)
            name = str(product) if product else gi_name
            registration = product.registration_number if product else ""
            lookup = (
                {"gi_product": product}
                if product
                else {"right_type": RightType.GI, "owner": holder, "name": name}
            )
            right, _ = ProtectedRight.objects.get_or_create(
                **lookup,
                defaults={
                    "right_type": RightType.GI,
                    "name": name,
                    "registration_number": registration,
                    "owner": holder,
                    "valid_from": getattr(product, "registered_on", None),
                    "gi_product": product,
                },
            )
            rights.append(right)
        return rights

    # -- one case ---------------------------------------------------------------------------

    def _case(self, rng, fake, users, rights, number, target):
        now = timezone.now()
        right = rng.choice(rights)
        gi = right.right_type == RightType.GI
        # GI communities report through DIP with a letter of authorization.
        letter = gi or rng.random() < 0.2
        created = now - timedelta(days=rng.uniform(1, 150), minutes=rng.randint(0, 600))
        word = rng.choice(PRODUCT_WORDS)
        case = TakedownCase(
            title=f"{word}{' ปลอม' if rng.random() < 0.6 else ' ละเมิดสิทธิ'} ร้าน {fake.first_name()}",
            description=fake.paragraph(nb_sentences=2),
            summary_en=DEMO_SUMMARY_EN.format(
                type=right.right_type, number=right.registration_number or "pending"
            ),
            rights_holder=right.owner,
            right=right,
            infringement_type=(
                InfringementType.GI_MISUSE
                if gi
                else {
                    RightType.TRADEMARK: rng.choice(
                        [InfringementType.COUNTERFEIT, InfringementType.TRADEMARK_MISUSE]
                    ),
                    RightType.COPYRIGHT: InfringementType.COPYRIGHT,
                    RightType.DESIGN: InfringementType.DESIGN,
                    RightType.PATENT: InfringementType.PATENT,
                }[right.right_type]
            ),
            priority=rng.choices(list(Priority.values), weights=[2, 6, 3, 1])[0],
            reporter_name=fake.name(),
            reporter_email=f"officer{rng.randint(1, 30)}@ipthailand.go.th",
            reporter_phone=fake.phone_number(),
            reporter_position="นักวิชาการพาณิชย์ชำนาญการ",
            reporter_basis=ReporterBasis.AUTHORIZATION_LETTER if letter else ReporterBasis.OWNER,
            authorization_document=LETTER if letter else "",
            authorization_valid_from=date(2025, 1, 1) if letter else None,
            authorization_valid_until=date(2027, 12, 31) if letter else None,
            internal_note=f"{DEMO_MARK} ชุดข้อมูลตัวอย่าง",
            assigned_officer=users["officer"],
            assigned_liaison=users["liaison"] if rng.random() < 0.7 else None,
            created_at=created,
        )
        transitions.case_create(case=case, actor=users["officer"])
        for item_number in range(rng.choice([1, 1, 2, 2, 3, 4])):
            self._item(rng, case, number, item_number)
        clock = [created]

        def step(hours_low, hours_high):
            clock[0] = min(clock[0] + timedelta(hours=rng.uniform(hours_low, hours_high)), now)
            return clock[0]

        def go(to_state, actor, **kwargs):
            transitions.case_transition(case=case, to_state=to_state, actor=users[actor], **kwargs)

        for state in self._path(target):
            if state == S.DIP_REVIEW and case.state == S.DRAFT:
                go(state, "officer", at=step(1, 30))
            elif state == S.READY_TO_FORWARD:
                go(state, "officer", at=step(2, 48))
            elif state == S.FORWARDED:
                go(state, "supervisor", at=step(1, 24))
            elif state == S.UNDER_PLATFORM_REVIEW and case.state == S.FORWARDED:
                TakedownCase.objects.filter(pk=case.pk).update(
                    ippc_ticket_id=f"IPPC-TH-{2026_000 + number * 7}"
                )
                go(state, "liaison", at=step(0.5, 12))
            elif state == S.INFO_REQUESTED:
                go(
                    state,
                    "liaison",
                    reason_code=rng.choice(["ownership_not_proven", "link_not_found"]),
                    note="Please provide the registration certificate and working links.",
                    at=step(2, 30),
                )
            elif state == S.UNDER_PLATFORM_REVIEW:
                go(state, "officer", note="ส่งหนังสือสำคัญการจดทะเบียนเพิ่มเติมแล้ว", at=step(4, 72))
            elif state == S.PARTIALLY_REMOVED:
                at = step(3, 70)
                items = list(case.items.all())
                if len(items) < 2:
                    InfringingItem.objects.filter(pk=items[0].pk).update(
                        outcome=ItemOutcome.REMOVED
                    )
                    go(S.REMOVED, "liaison", at=at)
                    continue
                for index, item in enumerate(items):
                    case_items.item_record_outcome(
                        item=item,
                        outcome=ItemOutcome.REMOVED if index == 0 else ItemOutcome.NOT_REMOVED,
                        reason_code="" if index == 0 else "no_infringement",
                        actor=users["liaison"],
                        at=at,
                    )
            elif state in (S.REMOVED, S.ALREADY_UNAVAILABLE):
                go(state, "liaison", at=step(3, 70))
            elif state == S.NOT_REMOVED:
                go(
                    state,
                    "liaison",
                    reason_code=rng.choice(["no_infringement", "ownership_not_proven"]),
                    note="The listing does not use the protected name.",
                    at=step(6, 90),
                )
            elif state == S.APPEALED:
                go(state, "liaison", at=step(24, 24 * 10))
            elif state == S.REMOVAL_UPHELD:
                go(state, "liaison", at=step(24, 24 * 5))
            elif state == S.REINSTATED:
                go(
                    state,
                    "liaison",
                    reason_code="no_infringement",
                    note="The seller showed an invoice from the GI producer.",
                    at=step(24, 24 * 5),
                )
            elif state == S.CLOSED:
                go(state, "officer", at=step(24, 24 * 7))
            elif state == S.WITHDRAWN:
                go(state, "officer", note="ผู้ทรงสิทธิขอถอนเรื่อง", at=step(2, 48))

    @staticmethod
    def _path(target):
        to_review = [S.DIP_REVIEW, S.READY_TO_FORWARD, S.FORWARDED, S.UNDER_PLATFORM_REVIEW]
        return {
            S.DRAFT: [],
            S.DIP_REVIEW: to_review[:1],
            S.READY_TO_FORWARD: to_review[:2],
            S.FORWARDED: to_review[:3],
            S.UNDER_PLATFORM_REVIEW: to_review,
            S.INFO_REQUESTED: [*to_review, S.INFO_REQUESTED],
            S.REMOVED: [*to_review, S.INFO_REQUESTED, S.UNDER_PLATFORM_REVIEW, S.REMOVED],
            S.PARTIALLY_REMOVED: [*to_review, S.PARTIALLY_REMOVED],
            S.NOT_REMOVED: [*to_review, S.NOT_REMOVED],
            S.ALREADY_UNAVAILABLE: [*to_review, S.ALREADY_UNAVAILABLE],
            S.APPEALED: [*to_review, S.REMOVED, S.APPEALED],
            S.REMOVAL_UPHELD: [*to_review, S.REMOVED, S.APPEALED, S.REMOVAL_UPHELD],
            S.REINSTATED: [*to_review, S.REMOVED, S.APPEALED, S.REINSTATED],
            S.CLOSED: [*to_review, S.REMOVED, S.CLOSED],
            S.WITHDRAWN: [*to_review[:2], S.WITHDRAWN],
        }[target]

    @staticmethod
    def _item(rng, case, number, item_number):
        handles = [f"shop_{name}" for name in ("somjai", "thaibest", "luckyrice", "bkkdeal")] + [
            f"seller{n:03d}" for n in range(400)
        ]
        # A few handles come back again and again: the repeat infringers.
        handle = rng.choice(handles[:4]) if rng.random() < 0.25 else rng.choice(handles)
        kind = rng.choice([ItemKind.LISTING, ItemKind.LISTING, ItemKind.VIDEO, ItemKind.LIVE])
        ident = 1729_000_000_000_000_000 + number * 10 + item_number
        url = {
            ItemKind.LISTING: f"https://shop.tiktok.com/view/product/{ident}?region=TH&utm_source=copy",
            ItemKind.VIDEO: f"https://www.tiktok.com/@{handle}/video/{ident}",
            ItemKind.LIVE: f"https://www.tiktok.com/@{handle}/live?room_id={ident}",
        }[kind]
        InfringingItem.objects.create(
            case=case,
            kind=kind,
            url=url,
            seller_handle=handle,
            title=f"สินค้า {rng.choice(PRODUCT_WORDS)} ราคาพิเศษ",
            price_thb=rng.choice([89, 129, 199, 259, 390, 590]),
        )
