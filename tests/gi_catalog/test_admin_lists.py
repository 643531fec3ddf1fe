"""Every catalog list page: it renders, its filters work, and its query count does not grow with rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gi_catalog.choices import OnboardingStatus
from gi_catalog.models import GIAuthorization, GIProduct, OnboardingApplication, PromotionActivity
from portal.models import Province

pytestmark = pytest.mark.django_db

MODELS = ["giproduct", "seller", "giauthorization", "onboardingapplication", "promotionactivity"]


def make_rows(count, make_seller, offset=0):
    provinces = list(Province.objects.order_by("code")[:3])
    for i in range(offset, offset + count):
        product = GIProduct.objects.create(
            name_th=f"ข้าว {i}", name_en=f"Rice {i}", category="agricultural"
        )
        product.provinces.set(provinces[: 1 + i % 3])
        seller = make_seller(name=f"ผู้ขาย {i}", province=provinces[i % 3])
        GIAuthorization.objects.create(
            seller=seller, product=product, certificate_number=f"C-{i}", valid_from=date(2025, 1, 1)
        )
        application = OnboardingApplication.objects.create(seller=seller)
        application.products.set([product])
        activity = PromotionActivity.objects.create(
            kind="short_clip",
            title=f"คลิป {i}",
            held_on=date(2026, 1, 1) + timedelta(days=i),
            url=f"https://www.tiktok.com/@s{i}/video/{i}",
            seller=seller,
            gmv_thb="100.00",
        )
        activity.products.set([product])


def count_queries(client, url):
    client.get(url)  # warm the per-process caches (content types, session) before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", MODELS)
def test_list_query_count_does_not_grow_with_rows(model, officer, client_for, make_seller):
    client = client_for(officer)
    url = reverse(f"admin:gi_catalog_{model}_changelist")
    make_rows(3, make_seller)
    few = count_queries(client, url)
    make_rows(27, make_seller, offset=3)
    many = count_queries(client, url)
    assert many == few, f"{model}: {few} queries for 3 rows, {many} for 30"


@pytest.mark.parametrize(
    "model, query, expected",
    [
        ("giproduct", "category=agricultural", 30),
        ("giproduct", "category=handicraft", 0),
        ("giproduct", "province=TH-10", None),
        ("giproduct", "registration_number=missing", 30),
        ("giproduct", "registration_number=present", 0),
        ("giproduct", "origin=foreign", 0),
        ("seller", "onboarding=draft", 30),
        ("seller", "onboarding=live", 0),
        ("giauthorization", "validity=current", 30),
        ("giauthorization", "validity=expired", 0),
        ("onboardingapplication", "status=draft", 30),
        ("onboardingapplication", "documents=yes", 0),
        ("promotionactivity", "held_on_after=2026-01-11&held_on_before=2026-01-20", 10),
        ("promotionactivity", "kind=live", 0),
        ("promotionactivity", "category=agricultural", 30),
    ],
)
def test_filters(model, query, expected, officer, client_for, make_seller):
    make_rows(30, make_seller)
    response = client_for(officer).get(
        reverse(f"admin:gi_catalog_{model}_changelist") + "?" + query
    )
    assert response.status_code == 200
    if expected is not None:
        assert response.context["cl"].result_count == expected


def test_bad_filter_value_is_not_a_server_error(officer, client_for):
    response = client_for(officer).get(
        reverse("admin:gi_catalog_promotionactivity_changelist") + "?held_on_after=not-a-date"
    )
    assert response.status_code in (200, 302)


def test_missing_registration_number_is_visible(officer, client_for):
    GIProduct.objects.create(name_th="ทุเรียน", category="agricultural")
    response = client_for(officer).get(reverse("admin:gi_catalog_giproduct_changelist"))
    text = response.content.decode()
    assert "gi-missing" in text
    assert "registration_number=missing" in text


def test_seller_list_shows_onboarding_status(officer, client_for, seller):
    OnboardingApplication.objects.create(seller=seller, status=OnboardingStatus.SUBMITTED)
    client = client_for(officer)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("admin:gi_catalog_seller_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["cl"].result_list[0].latest_status == OnboardingStatus.SUBMITTED


@pytest.mark.parametrize("model", MODELS)
def test_search(model, officer, client_for, make_seller):
    make_rows(3, make_seller)
    response = client_for(officer).get(reverse(f"admin:gi_catalog_{model}_changelist") + "?q=1")
    assert response.status_code == 200
