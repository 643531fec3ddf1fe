"""Demo sellers, authorizations, onboarding applications and promotion activities (idempotent)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.th import pin, tin

from gi_catalog.choices import THAI_ORIGIN, ActivityKind, OnboardingStatus, SellerKind
from gi_catalog.models import (
    GIAuthorization,
    GIProduct,
    OnboardingApplication,
    OnboardingStep,
    PromotionActivity,
    Seller,
)
from gi_catalog.services import application_transition

SEED = 2026
SELLERS = 48
#: Where each demo application ends up; every state appears.
FINAL_STATES = (
    [OnboardingStatus.LIVE] * 16
    + [OnboardingStatus.SHOP_APPROVED] * 5
    + [OnboardingStatus.DOCUMENTS_VERIFIED] * 5
    + [OnboardingStatus.SUBMITTED] * 6
    + [OnboardingStatus.DRAFT] * 5
    + [OnboardingStatus.REJECTED] * 4
    + [OnboardingStatus.WITHDRAWN] * 3
)
PATH = [
    OnboardingStatus.SUBMITTED,
    OnboardingStatus.DOCUMENTS_VERIFIED,
    OnboardingStatus.SHOP_APPROVED,
    OnboardingStatus.LIVE,
]
REJECTION_REASONS = [
    "หนังสืออนุญาตใช้ตราสัญลักษณ์ GI หมดอายุ",
    "ชื่อบัญชีธนาคารไม่ตรงกับชื่อผู้ขาย",
    "สินค้าไม่อยู่ในขอบเขตพื้นที่ GI ที่ขึ้นทะเบียน",
]
DATE_FIELDS = {
    OnboardingStatus.SUBMITTED: "submitted_at",
    OnboardingStatus.DOCUMENTS_VERIFIED: "documents_verified_at",
    OnboardingStatus.SHOP_APPROVED: "shop_approved_at",
    OnboardingStatus.LIVE: "live_at",
    OnboardingStatus.REJECTED: "closed_at",
    OnboardingStatus.WITHDRAWN: "closed_at",
}


def thai_tax_id(rng: random.Random, company: bool) -> str:
    """A 13-digit number with a correct check digit: ``0…`` for a company, ``1``–``8`` for a person."""
    while True:
        if company:
            body = "0105" + "".join(rng.choice("0123456789") for _ in range(8))
        else:
            body = str(rng.randint(1, 8)) + "".join(rng.choice("0123456789") for _ in range(11))
        number = body + pin.calc_check_digit(body)
        if tin.is_valid(number):
            return number


def seller_name(fake: Faker, rng: random.Random, kind: str, product: GIProduct) -> str:
    label = product.name_th or product.name_en
    if kind == SellerKind.COMMUNITY_ENTERPRISE:
        return f"วิสาหกิจชุมชนกลุ่มผู้ผลิต{label} บ้าน{fake.first_name()}"
    if kind == SellerKind.COOPERATIVE:
        return f"สหกรณ์การเกษตร{fake.city_name()} จำกัด"
    if kind == SellerKind.COMPANY:
        return f"บริษัท {fake.last_name()} {rng.choice(['ฟู้ดส์', 'โปรดักส์', 'อินเตอร์เทรด'])} จำกัด"
    return fake.name()


class Command(BaseCommand):
    help = "Create demo GI sellers, authorizations, onboarding in every state and promotions."

    @transaction.atomic
    def handle(self, *args, **options):
        if not GIProduct.objects.exists():
            call_command("load_gi_register", verbosity=0)
        rng = random.Random(SEED)
        fake = Faker("th_TH")
        fake.seed_instance(SEED)
        actor = get_user_model().objects.filter(username="officer").first()
        products = list(
            GIProduct.objects.filter(origin=THAI_ORIGIN)
            .prefetch_related("provinces")
            .order_by("name_en", "name_th")
        )
        now = timezone.now()
        kinds = list(SellerKind.values)

        sellers = []
        for index in range(SELLERS):
            product = products[index % len(products)]
            kind = kinds[index % len(kinds)]
            province = rng.choice(list(product.provinces.all()) or [None])
            tax_id = thai_tax_id(rng, company=kind in (SellerKind.COMPANY, SellerKind.COOPERATIVE))
            handle = f"gi_{(product.name_en or 'thai').split()[0].lower()}_{index + 1:03d}"
            seller, _ = Seller.objects.get_or_create(
                tax_id=tax_id,
                defaults={
                    "name": seller_name(fake, rng, kind, product),
                    "kind": kind,
                    "contact_person": fake.name(),
                    "phone": fake.phone_number(),
                    "email": f"seller{index + 1:03d}@example.org",
                    "address": fake.address(),
                    "province": province,
                    "tiktok_shop_handle": handle,
                },
            )
            sellers.append((seller, product))
            valid_from = (now - timedelta(days=rng.randint(60, 900))).date()
            GIAuthorization.objects.get_or_create(
                certificate_number=f"GI-AUTH-{valid_from.year}-{index + 1:05d}",
                defaults={
                    "seller": seller,
                    "product": product,
                    "valid_from": valid_from,
                    "valid_until": valid_from + timedelta(days=3 * 365),
                },
            )

        for (seller, product), final in zip(sellers, FINAL_STATES, strict=False):
            if seller.onboarding_applications.exists():
                continue
            self.walk(seller, product, final, actor, random.Random(seller.tax_id), now)

        live = [s for s, _ in sellers if s.onboarding_applications.filter(status="live").exists()]
        created = 0
        rng = random.Random(SEED + 1)  # independent of how many applications were walked above
        for number in range(240):
            seller = rng.choice(live) if live else None
            kind = rng.choices(list(ActivityKind.values), weights=[6, 3, 1])[0]
            held_on = (now - timedelta(days=rng.randint(0, 364))).date()
            product = seller.authorizations.first().product if seller else rng.choice(products)
            url, title, views, orders, price = self.activity(rng, kind, seller, product, number)
            activity, new = PromotionActivity.objects.get_or_create(
                url=url,
                defaults={
                    "kind": kind,
                    "title": title,
                    "held_on": held_on,
                    "seller": seller if kind != ActivityKind.CAMPAIGN else None,
                    "views": views,
                    "orders": orders,
                    "gmv_thb": (Decimal(price) * orders).quantize(Decimal("0.01")),
                },
            )
            if new:
                activity.products.set([product])
                created += 1
        self.stdout.write(
            f"GI demo data: {Seller.objects.count()} sellers, "
            f"{OnboardingApplication.objects.count()} onboarding applications, "
            f"{PromotionActivity.objects.count()} promotion activities ({created} new)"
        )

    def walk(self, seller, product, final, actor, rng, now):
        application = OnboardingApplication.objects.create(
            seller=seller,
            has_identity_document=True,
            has_gi_certificate=final != OnboardingStatus.DRAFT,
            has_bank_account=final not in (OnboardingStatus.DRAFT, OnboardingStatus.SUBMITTED),
        )
        application.products.set([product])
        if final == OnboardingStatus.DRAFT:
            return
        if final == OnboardingStatus.REJECTED:
            steps = PATH[: rng.randint(1, 3)] + [OnboardingStatus.REJECTED]
        elif final == OnboardingStatus.WITHDRAWN:
            steps = PATH[: rng.randint(0, 2)] + [OnboardingStatus.WITHDRAWN]
        else:
            steps = PATH[: PATH.index(final) + 1]
        if OnboardingStatus.DOCUMENTS_VERIFIED in steps:
            OnboardingApplication.objects.filter(pk=application.pk).update(has_bank_account=True)
            application.refresh_from_db()
        for to_status in steps:
            application = application_transition(
                application=application,
                to_status=to_status,
                actor=actor,
                reason=rng.choice(REJECTION_REASONS)
                if to_status == OnboardingStatus.REJECTED
                else "",
            )
        # Spread the steps over the last year, a few days to weeks apart (demo only).
        when = now - timedelta(days=rng.randint(20 * len(steps), 330))
        for step in application.steps.order_by("at", "pk"):
            when += timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 8))
            when = min(when, now)
            OnboardingStep.objects.filter(pk=step.pk).update(at=when)
            OnboardingApplication.objects.filter(pk=application.pk).update(
                **{DATE_FIELDS[step.to_status]: when}
            )

    @staticmethod
    def activity(rng, kind, seller, product, number):
        handle = seller.tiktok_shop_handle if seller else "dipthailand"
        label = product.name_th or product.name_en
        if kind == ActivityKind.SHORT_CLIP:
            video = 7_300_000_000_000_000_000 + number * 7919 + SEED
            return (
                f"https://www.tiktok.com/@{handle}/video/{video}",
                f"รู้จัก{label} สินค้า GI ของแท้",
                rng.randint(2_000, 300_000),
                rng.randint(0, 250),
                rng.choice([89, 129, 199, 259, 390, 590]),
            )
        if kind == ActivityKind.LIVE:
            return (
                f"https://www.tiktok.com/@{handle}/live?session={SEED}{number:05d}",
                f"LIVE ขาย{label} ส่งตรงจากแหล่งผลิต",
                rng.randint(500, 60_000),
                rng.randint(10, 900),
                rng.choice([150, 250, 350, 490, 890, 1_290]),
            )
        return (
            f"https://shop.tiktok.com/th/campaign/gi-thailand-{SEED}-{number:04d}",
            f"แคมเปญ GI ไทย ของดีทั่วไทย: {label}",
            rng.randint(50_000, 2_000_000),
            rng.randint(100, 3_000),
            rng.choice([199, 299, 399]),
        )
