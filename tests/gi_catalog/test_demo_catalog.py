import pytest
from django.core.management import call_command
from stdnum.th import tin

from gi_catalog.choices import OnboardingStatus
from gi_catalog.models import GIProduct, OnboardingApplication, PromotionActivity, Seller

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        GIProduct.objects.count(),
        Seller.objects.count(),
        OnboardingApplication.objects.count(),
        PromotionActivity.objects.count(),
    )


def test_demo_is_realistic_complete_and_idempotent(officer):
    call_command("load_gi_register", verbosity=0)
    call_command("demo_catalog", verbosity=0)
    first = snapshot()
    call_command("demo_catalog", verbosity=0)
    assert snapshot() == first
    assert all(tin.is_valid(tax_id) for tax_id in Seller.objects.values_list("tax_id", flat=True))
    states = set(OnboardingApplication.objects.values_list("status", flat=True))
    assert states == set(OnboardingStatus.values)
    live = OnboardingApplication.objects.filter(status=OnboardingStatus.LIVE).first()
    assert live.steps.count() == 4
    assert live.submitted_at < live.documents_verified_at < live.shop_approved_at <= live.live_at
    months = {
        d.strftime("%Y-%m") for d in PromotionActivity.objects.values_list("held_on", flat=True)
    }
    assert len(months) >= 12
    assert PromotionActivity.objects.filter(kind="live", gmv_thb__gt=0).exists()
