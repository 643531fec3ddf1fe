"""Demo monitoring sweeps: ~40 sweeps over the last 12 months with their findings; some findings
become draft cases through ``takedowns.sweeps.finding_create_case`` and walk the case workflow.
Run after ``demo_takedowns`` (it uses its GI rights). Idempotent: sweeps made by an earlier run are
kept and counted, never duplicated."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from gi_catalog.choices import THAI_ORIGIN
from gi_catalog.models import GIProduct
from takedowns import infringers, transitions
from takedowns.choices import CaseState, ItemKind, RightType
from takedowns.models import (
    MonitoringSweep,
    ProtectedRight,
    StatusEvent,
    SweepFinding,
    TakedownCase,
)
from takedowns.sweeps import finding_create_case

S = CaseState
SEED = 2611
SWEEPS = 40
DEMO_MARK = "[demo]"
KEYWORDS = [
    "ข้าวหอมมะลิ แท้",
    "กาแฟดอยช้าง ราคาส่ง",
    "ผ้าไหมแพรวา ลดราคา",
    "ทุเรียนหลงลับแล พรีออเดอร์",
    "ส้มโอนครชัยศรี",
    "เกลือทะเล บ้านแหลม",
    "GI แท้ ส่งฟรี",
    "ของฝาก สินค้าชุมชน",
]
SEEN = [
    "ใช้ชื่อสิ่งบ่งชี้ทางภูมิศาสตร์กับสินค้าที่ไม่ได้มาจากแหล่งผลิต",
    "ใช้ตราสัญลักษณ์ GI โดยไม่ได้รับอนุญาต",
    "ไลฟ์ขายสินค้าอ้างว่าเป็นสินค้า GI ราคาต่ำผิดปกติ",
    "คลิปรีวิวสินค้าปลอมอ้างชื่อ GI",
    "ร้านค้าตั้งชื่อร้านเลียนแบบชื่อ GI",
]
KIND_BY_SURFACE = {
    "searched_product_search": ItemKind.LISTING,
    "searched_live": ItemKind.LIVE,
    "searched_video": ItemKind.VIDEO,
    "searched_shop": ItemKind.SHOP,
}
#: Where the cases made from findings end up.
TARGETS = [S.DRAFT, S.DIP_REVIEW, S.FORWARDED, S.REMOVED, S.REMOVED, S.CLOSED, S.NOT_REMOVED]
PATHS = {
    S.DRAFT: [],
    S.DIP_REVIEW: [S.DIP_REVIEW],
    S.FORWARDED: [S.DIP_REVIEW, S.READY_TO_FORWARD, S.FORWARDED],
    S.REMOVED: [S.DIP_REVIEW, S.READY_TO_FORWARD, S.FORWARDED, S.UNDER_PLATFORM_REVIEW, S.REMOVED],
    S.NOT_REMOVED: [
        S.DIP_REVIEW,
        S.READY_TO_FORWARD,
        S.FORWARDED,
        S.UNDER_PLATFORM_REVIEW,
        S.NOT_REMOVED,
    ],
    S.CLOSED: [
        S.DIP_REVIEW,
        S.READY_TO_FORWARD,
        S.FORWARDED,
        S.UNDER_PLATFORM_REVIEW,
        S.REMOVED,
        S.CLOSED,
    ],
}
ACTOR = {
    S.DIP_REVIEW: "officer",
    S.READY_TO_FORWARD: "officer",
    S.FORWARDED: "supervisor",
    S.UNDER_PLATFORM_REVIEW: "liaison",
    S.REMOVED: "liaison",
    S.NOT_REMOVED: "liaison",
    S.CLOSED: "officer",
}


class Command(BaseCommand):
    help = "Create ~40 demo monitoring sweeps with findings, some turned into cases (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--sweeps", type=int, default=SWEEPS, help="how many demo sweeps")

    def handle(self, *args, **options):
        fake = Faker("th_TH")
        fake.seed_instance(SEED)
        users = self._users()
        rights = list(
            ProtectedRight.objects.filter(right_type=RightType.GI).order_by("pk")[:12]
        ) or list(ProtectedRight.objects.order_by("pk")[:6])
        products = list(GIProduct.objects.filter(origin=THAI_ORIGIN).order_by("pk")[:30])
        existing = MonitoringSweep.objects.filter(note__startswith=DEMO_MARK).count()
        made = cases = 0
        for number in range(existing, options["sweeps"]):
            # The same draws for sweep n on every run, whatever came before.
            sweep_rng = random.Random(SEED * 1000 + number)
            with transaction.atomic():
                cases += self._sweep(sweep_rng, fake, users, rights, products, number)
            made += 1
        infringers.seller_counts_refresh()
        self.stdout.write(
            f"Sweeps: {MonitoringSweep.objects.count()} ({made} new), "
            f"{SweepFinding.objects.count()} findings, {cases} new cases from findings."
        )

    def _users(self):
        User = get_user_model()
        names = ("officer", "supervisor", "liaison")
        if User.objects.filter(username__in=names).count() != len(names):
            call_command("demo_users", verbosity=0)
        return {name: User.objects.get(username=name) for name in names}

    def _sweep(self, rng, fake, users, rights, products, number) -> int:
        today = timezone.localdate()
        # Spread over the last 12 months, roughly evenly, oldest first.
        swept_on = today - timedelta(days=int(365 * (1 - number / SWEEPS)) + rng.randint(0, 6))
        swept_on = min(swept_on, today)
        surfaces = rng.sample(list(KIND_BY_SURFACE), k=rng.choice([1, 1, 2, 2, 3, 4]))
        chosen = rng.sample(products, k=min(len(products), rng.choice([0, 1, 1, 2])))
        sweep = MonitoringSweep.objects.create(
            officer=rng.choice([users["officer"], users["officer"], users["supervisor"]]),
            swept_on=swept_on,
            keywords="\n".join(rng.sample(KEYWORDS, k=rng.choice([1, 2, 3]))),
            minutes_spent=rng.choice([30, 45, 60, 90, 120, 180]),
            note=f"{DEMO_MARK} {fake.sentence(nb_words=8)}",
            **{name: name in surfaces for name in KIND_BY_SURFACE},
        )
        sweep.gi_products.set(chosen)
        made = 0
        for finding_number in range(rng.choice([0, 1, 2, 2, 3, 4, 5])):
            surface = rng.choice(surfaces)
            kind = KIND_BY_SURFACE[surface]
            handle = rng.choice(
                ["shop_somjai", "thaibest", "gi_outlet"] + [f"seller{n:03d}" for n in range(60)]
            )
            ident = 1_830_000_000_000_000_000 + number * 10 + finding_number
            url = {
                ItemKind.LISTING: f"https://shop.tiktok.com/view/product/{ident}?region=TH",
                ItemKind.LIVE: f"https://www.tiktok.com/@{handle}/live?room_id={ident}",
                ItemKind.VIDEO: f"https://www.tiktok.com/@{handle}/video/{ident}",
                ItemKind.SHOP: f"https://shop.tiktok.com/store/{handle}-{ident}",
            }[kind]
            finding = SweepFinding.objects.create(
                sweep=sweep,
                kind=kind,
                url=url,
                seller_handle=handle,
                observed=rng.choice(SEEN),
                right=rng.choice(rights) if rights and rng.random() < 0.85 else None,
            )
            if finding.right_id and rng.random() < 0.4:
                self._case(rng, users, finding, sweep)
                made += 1
        return made

    def _case(self, rng, users, finding, sweep):
        case = finding_create_case(finding=finding, actor=users["officer"])
        # Demo data only: the case was opened the day after the sweep, not today.
        start = timezone.make_aware(
            datetime.combine(sweep.swept_on + timedelta(days=1), time(10, rng.randint(0, 59)))
        )
        now = timezone.now()
        start = min(start, now - timedelta(hours=1))
        TakedownCase.objects.filter(pk=case.pk).update(
            created_at=start,
            summary_en=f"Found in DIP's monitoring sweep {sweep.reference}: a listing misusing "
            f"the registered {case.right.right_type} no. {case.right.registration_number or '-'}.",
        )
        StatusEvent.objects.filter(case=case).update(at=start)
        case.refresh_from_db()
        clock = start
        for state in PATHS[rng.choice(TARGETS)]:
            clock = min(clock + timedelta(hours=rng.uniform(2, 40)), now)
            kwargs = {}
            if state == S.NOT_REMOVED:
                kwargs = {"reason_code": "no_infringement", "note": "No GI name on the listing."}
            if state == S.UNDER_PLATFORM_REVIEW:
                TakedownCase.objects.filter(pk=case.pk).update(
                    ippc_ticket_id=f"IPPC-TH-SW{case.pk:05d}"
                )
            transitions.case_transition(
                case=case, to_state=state, actor=users[ACTOR[state]], at=clock, **kwargs
            )
