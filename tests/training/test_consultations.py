"""Consultations: logged and imported by officers, read by managers, hidden from the liaison."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gi_catalog.choices import SellerKind
from gi_catalog.models import Seller
from portal.models import Province
from training import services
from training.choices import ConsultationChannel, ConsultationTopic, FollowUp
from training.models import Consultation

from .conftest import csv_bytes, import_file, make_participant, page_text

pytestmark = pytest.mark.django_db

ADD_URL = "admin:training_consultation_add"
HEADER = [
    "date",
    "adviser_email",
    "seller_tax_id",
    "entrepreneur_name",
    "contact",
    "province",
    "topic",
    "channel",
    "summary",
    "follow_up",
    "follow_up_date",
    "follow_up_note",
]


@pytest.fixture
def adviser(db):
    return make_participant(1)


@pytest.fixture
def seller(db):
    return Seller.objects.create(
        name="วิสาหกิจชุมชนข้าวหอมมะลิทุ่งกุลา",
        kind=SellerKind.COMMUNITY_ENTERPRISE,
        tax_id="0105555123450",
        province=Province.objects.get(code="TH-45"),
    )


def form_data(adviser, **extra):
    data = {
        "seller": "",
        "entrepreneur_name": "ร้านผ้าไหมแม่ศรี",
        "contact": "081-234-5678",
        "province": Province.objects.get(code="TH-32").pk,
        "consulted_on": "2026-03-02",
        "topic": ConsultationTopic.TRADEMARK,
        "channel": ConsultationChannel.WALK_IN,
        "adviser": adviser.pk,
        "summary": "แนะนำการยื่นจดทะเบียนเครื่องหมายการค้าก่อนเปิดร้านบน TikTok Shop",
        "follow_up": "",
        "follow_up_on": "",
        "follow_up_note": "",
    }
    data.update(extra)
    return data


def test_officer_logs_a_consultation(officer, client_for, adviser):
    response = client_for(officer).post(
        reverse(ADD_URL),
        form_data(adviser, follow_up=FollowUp.TRADEMARK_FILED, follow_up_on="2026-03-20"),
    )
    assert response.status_code == 302, page_text(response)[-1500:]
    consultation = Consultation.objects.get()
    assert consultation.follow_up_on == date(2026, 3, 20)


def test_a_seller_gives_the_entrepreneur_name(officer, client_for, adviser, seller):
    response = client_for(officer).post(
        reverse(ADD_URL), form_data(adviser, seller=seller.pk, entrepreneur_name="", province="")
    )
    assert response.status_code == 302
    assert Consultation.objects.get().entrepreneur_name == seller.name


def test_an_entrepreneur_is_required(officer, client_for, adviser):
    response = client_for(officer).post(reverse(ADD_URL), form_data(adviser, entrepreneur_name=""))
    assert "entrepreneur_name" in response.context["adminform"].form.errors
    assert not Consultation.objects.exists()


def test_a_consultation_in_the_future_is_refused(officer, client_for, adviser):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(officer).post(reverse(ADD_URL), form_data(adviser, consulted_on=tomorrow))
    assert response.status_code == 200
    assert "consulted_on" in response.context["adminform"].form.errors
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    "follow_up, follow_up_on, field",
    [
        (FollowUp.GI_AUTHORIZATION_REQUESTED, "2026-03-01", None),  # the day before
        (FollowUp.SELLER_ONBOARDED, "", "follow_up_on"),
        ("", "2026-03-05", "follow_up"),
    ],
)
def test_bad_follow_ups_are_refused(officer, client_for, adviser, follow_up, follow_up_on, field):
    response = client_for(officer).post(
        reverse(ADD_URL), form_data(adviser, follow_up=follow_up, follow_up_on=follow_up_on)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    if field:
        assert field in errors
    else:
        assert "ต้องไม่ก่อนวันที่ให้คำปรึกษา" in str(errors)
    assert not Consultation.objects.exists()


def test_the_advisers_completed_courses_are_shown(officer, client_for, adviser, session):
    services.attendance_register(
        session=session, participant=adviser, attended=True, score=90, completed=True
    )
    consultation = Consultation.objects.create(
        entrepreneur_name="ร้านทดสอบ",
        topic=ConsultationTopic.TIKTOK_SHOP_TOOLS,
        channel=ConsultationChannel.ONLINE,
        consulted_on=date(2026, 3, 5),
        adviser=adviser,
        summary="สอนตั้งค่า LIVE",
    )
    client = client_for(officer)
    change = client.get(reverse("admin:training_consultation_change", args=[consultation.pk]))
    assert "LIVE-101" in page_text(change)
    listing = client.get(reverse("admin:training_consultation_changelist"))
    assert "LIVE-101" in page_text(listing)


def test_roles(manager, liaison, supervisor, officer, client_for, adviser):
    consultation = Consultation.objects.create(
        entrepreneur_name="ร้านทดสอบ",
        topic=ConsultationTopic.GI,
        channel=ConsultationChannel.PHONE,
        consulted_on=date(2026, 3, 5),
        adviser=adviser,
        summary="GI",
    )
    change = reverse("admin:training_consultation_change", args=[consultation.pk])
    delete = reverse("admin:training_consultation_delete", args=[consultation.pk])
    data = form_data(adviser, summary="changed")

    client = client_for(manager)
    assert client.get(change).status_code == 200
    assert client.post(change, data).status_code == 403
    assert client.post(reverse(ADD_URL), data).status_code == 403

    client = client_for(liaison)
    for url in (reverse("admin:training_consultation_changelist"), change, reverse(ADD_URL)):
        assert client.get(url).status_code == 403
    assert client.post(change, data).status_code == 403

    client = client_for(officer)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    consultation.refresh_from_db()
    assert consultation.summary == "GI"

    client = client_for(supervisor)
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Consultation.objects.exists()


def row(adviser, **cells):
    values = {
        "date": "2026-03-02",
        "adviser_email": adviser.email,
        "seller_tax_id": "",
        "entrepreneur_name": "ร้านผ้าไหมแม่ศรี",
        "contact": "081-234-5678",
        "province": "สุรินทร์",
        "topic": "trademark",
        "channel": "walk_in",
        "summary": "แนะนำการจดเครื่องหมายการค้า",
        "follow_up": "",
        "follow_up_date": "",
        "follow_up_note": "",
    }
    values.update(cells)
    return [values[column] for column in HEADER]


def invalid_rows(response):
    return {r.number: set(r.field_specific_errors) for r in response.context["result"].invalid_rows}


def test_import_creates_and_reimport_updates(officer, client_for, adviser, seller):
    rows = [
        HEADER,
        row(adviser),
        row(
            adviser,
            seller_tax_id=seller.tax_id,
            entrepreneur_name="",
            province="TH-45",
            topic="GI",
            channel="LIVE session",
            follow_up="gi_authorization_requested",
            follow_up_date="2026-03-10",
        ),
    ]
    client = client_for(officer)
    assert import_file(client, "consultation", csv_bytes(rows)).status_code == 302
    assert Consultation.objects.count() == 2
    linked = Consultation.objects.get(seller=seller)
    assert (linked.entrepreneur_name, linked.topic, linked.channel) == (
        seller.name,
        "gi",
        "live_session",
    )
    rows[1] = row(adviser, follow_up="trademark_filed", follow_up_date="2026-04-01")
    assert import_file(client, "consultation", csv_bytes(rows)).status_code == 302
    assert Consultation.objects.count() == 2
    assert Consultation.objects.get(seller=None).follow_up == FollowUp.TRADEMARK_FILED


@pytest.mark.parametrize(
    "cells, column",
    [
        ({"date": (timezone.localdate() + timedelta(days=3)).isoformat()}, "date"),
        ({"follow_up": "trademark_filed", "follow_up_date": "2026-02-01"}, "follow_up_date"),
        ({"adviser_email": "nobody@ipthailand.go.th"}, "adviser_email"),
        ({"topic": "astrology"}, "topic"),
        ({"province": "Atlantis"}, "province"),
        ({"seller_tax_id": "0105555123451", "entrepreneur_name": ""}, "seller_tax_id"),
        ({"date": "2 March"}, "date"),
    ],
)
def test_bad_rows_are_refused_with_row_and_column(officer, client_for, adviser, cells, column):
    rows = [HEADER, row(adviser, entrepreneur_name="ร้านดี"), row(adviser, **cells)]
    response = import_file(client_for(officer), "consultation", csv_bytes(rows))
    assert response.status_code == 200
    assert column in invalid_rows(response)[3], invalid_rows(response)
    assert not Consultation.objects.exists()


def test_export_escapes_formulas(manager, client_for, adviser):
    Consultation.objects.create(
        entrepreneur_name="+66 81 234 5678",
        topic=ConsultationTopic.OTHER,
        channel=ConsultationChannel.PHONE,
        consulted_on=date(2026, 3, 5),
        adviser=adviser,
        summary="@SUM(A1:A9)",
    )
    response = client_for(manager).post(
        reverse("admin:training_consultation_export"),
        {
            "format": "0",
            "resource": "0",
            "consultationresource_entrepreneur_name": "on",
            "consultationresource_summary": "on",
        },
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'+66 81 234 5678" in body and "'@SUM(A1:A9)" in body


@pytest.mark.parametrize("rows", [3, 30])
def test_list_page_query_count_does_not_grow(
    rows, officer, client_for, adviser, session, django_assert_max_num_queries
):
    services.attendance_register(
        session=session, participant=adviser, attended=True, score=90, completed=True
    )
    for n in range(rows):
        Consultation.objects.create(
            entrepreneur_name=f"ร้านที่ {n}",
            topic=ConsultationTopic.TRADEMARK,
            channel=ConsultationChannel.ONLINE,
            consulted_on=date(2026, 3, 1) + timedelta(days=n),
            adviser=adviser if n % 2 else make_participant(100 + n),
            province=Province.objects.get(code="TH-10"),
            summary="-",
        )
    client = client_for(officer)
    url = reverse("admin:training_consultation_changelist")
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == rows
