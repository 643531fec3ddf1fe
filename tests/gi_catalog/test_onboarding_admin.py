"""A DIP officer's day in the admin: register a seller, walk the application to live, log a LIVE."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from gi_catalog.choices import OnboardingStatus as S
from gi_catalog.models import GIAuthorization, OnboardingApplication, PromotionActivity, Seller
from tests.gi_catalog.conftest import export, valid_tax_id

pytestmark = pytest.mark.django_db


def inline_management(client, url) -> dict:
    """Empty management forms for every inline formset on an admin form page."""
    data = {}
    for inline in client.get(url).context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def act(client, action, applications, reason=""):
    response = client.post(
        reverse("admin:gi_catalog_onboardingapplication_changelist"),
        {
            "action": f"move_to_{action}",
            "_selected_action": [a.pk for a in applications],
            "reason": reason,
            "index": "0",
        },
        follow=True,
    )
    return [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]


def test_officer_registers_a_seller_walks_it_live_and_logs_a_live(officer, client_for, coffee):
    client = client_for(officer)
    add_url = reverse("admin:gi_catalog_seller_add")
    data = inline_management(client, add_url)
    tax_id = valid_tax_id(42)
    data.update(
        {
            "name": "วิสาหกิจชุมชนกาแฟดอยตุง",
            "kind": "community_enterprise",
            "tax_id": f"{tax_id[0]}-{tax_id[1:5]}-{tax_id[5:10]}-{tax_id[10:12]}-{tax_id[12]}",
            "province": coffee.provinces.get().pk,
            "tiktok_shop_handle": "@doitung",
            "authorizations-TOTAL_FORMS": "1",
            "authorizations-0-certificate_number": "GI-AUTH-2026-00042",
            "authorizations-0-product": coffee.pk,
            "authorizations-0-valid_from": "2026-01-01",
        }
    )
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    seller = Seller.objects.get()
    assert seller.tax_id == tax_id
    assert seller.tiktok_shop_handle == "doitung"
    assert GIAuthorization.objects.get().seller == seller

    add_url = reverse("admin:gi_catalog_onboardingapplication_add")
    data = inline_management(client, add_url)
    data.update(
        {
            "seller": seller.pk,
            "products": [coffee.pk],
            "has_identity_document": "on",
            "has_gi_certificate": "on",
            "has_bank_account": "on",
        }
    )
    assert client.post(add_url, data).status_code == 302
    application = OnboardingApplication.objects.get()
    for step in (S.SUBMITTED, S.DOCUMENTS_VERIFIED, S.SHOP_APPROVED, S.LIVE):
        messages = act(client, step, [application])
        application.refresh_from_db()
        assert application.status == step, messages
    assert application.steps.filter(actor=officer).count() == 4

    add_url = reverse("admin:gi_catalog_promotionactivity_add")
    data = inline_management(client, add_url)
    data.update(
        {
            "kind": "live",
            "title": "LIVE กาแฟดอยตุงจากไร่",
            "held_on": "2026-11-20",
            "url": "https://www.tiktok.com/@doitung/live?session=1",
            "seller": seller.pk,
            "products": [coffee.pk],
            "views": "5400",
            "orders": "120",
            "gmv_thb": "42000.00",
        }
    )
    assert client.post(add_url, data).status_code == 302
    assert str(PromotionActivity.objects.get().gmv_thb) == "42000.00"
    exported = export(client, "promotionactivity", "csv")
    content = b"".join(exported.streaming_content) if exported.streaming else exported.content
    assert "42000.00" in content.decode("utf-8-sig")


def test_bad_tax_id_in_the_add_form_is_refused(officer, client_for):
    client = client_for(officer)
    add_url = reverse("admin:gi_catalog_seller_add")
    data = inline_management(client, add_url)
    good = valid_tax_id(1)
    data.update(
        {"name": "x", "kind": "producer", "tax_id": good[:-1] + str((int(good[-1]) + 1) % 10)}
    )
    response = client.post(add_url, data)
    assert response.status_code == 200
    assert "tax_id" in response.context["adminform"].form.errors
    assert not Seller.objects.exists()


def test_invalid_move_shows_a_message_and_changes_nothing(officer, client_for, seller):
    application = OnboardingApplication.objects.create(seller=seller)
    messages = act(client_for(officer), S.LIVE, [application])
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert any("cannot move" in m or "ไม่สามารถ" in m for m in messages), messages
    assert not application.steps.exists()


def test_incomplete_checklist_blocks_verification(officer, client_for, seller):
    application = OnboardingApplication.objects.create(seller=seller, has_identity_document=True)
    client = client_for(officer)
    act(client, S.SUBMITTED, [application])
    messages = act(client, S.DOCUMENTS_VERIFIED, [application])
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert messages


def test_rejection_needs_a_reason_in_the_admin(officer, client_for, seller):
    application = OnboardingApplication.objects.create(seller=seller)
    client = client_for(officer)
    act(client, S.SUBMITTED, [application])
    act(client, S.REJECTED, [application], reason="")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    act(client, S.REJECTED, [application], reason="เอกสารไม่ครบ")
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (S.REJECTED, "เอกสารไม่ครบ")


def test_one_invalid_application_in_a_batch_moves_none(officer, client_for, make_seller):
    ready = OnboardingApplication.objects.create(seller=make_seller())
    already = OnboardingApplication.objects.create(seller=make_seller(), status=S.SUBMITTED)
    act(client_for(officer), S.SUBMITTED, [ready, already])
    ready.refresh_from_db()
    assert ready.status == S.DRAFT


def test_manager_cannot_move_applications(manager, client_for, seller):
    application = OnboardingApplication.objects.create(seller=seller)
    client = client_for(manager)
    client.post(
        reverse("admin:gi_catalog_onboardingapplication_changelist"),
        {"action": "move_to_submitted", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_status_cannot_be_posted_through_the_change_form(officer, client_for, seller):
    application = OnboardingApplication.objects.create(seller=seller)
    client = client_for(officer)
    url = reverse("admin:gi_catalog_onboardingapplication_change", args=[application.pk])
    data = inline_management(client, url)
    data.update({"status": S.LIVE, "note": "ok", "has_identity_document": "on"})
    assert client.post(url, data).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.note) == (S.DRAFT, "ok")


def test_saving_an_old_form_does_not_undo_a_move(officer, client_for, seller):
    application = OnboardingApplication.objects.create(seller=seller)
    client = client_for(officer)
    url = reverse("admin:gi_catalog_onboardingapplication_change", args=[application.pk])
    data = inline_management(client, url)  # the page is open...
    act(client, S.SUBMITTED, [application])  # ...someone submits it...
    data.update({"note": "later edit"})
    client.post(url, data)  # ...and the old page is saved
    application.refresh_from_db()
    assert (application.status, application.note) == (S.SUBMITTED, "later edit")


def test_second_open_application_is_refused_in_the_form(officer, client_for, seller):
    OnboardingApplication.objects.create(seller=seller)
    client = client_for(officer)
    url = reverse("admin:gi_catalog_onboardingapplication_add")
    data = inline_management(client, url)
    data["seller"] = seller.pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert OnboardingApplication.objects.count() == 1
