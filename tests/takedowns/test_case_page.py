"""The case page in daily use: items and evidence on the new-case page, where a case came from,
and who reads a step's note."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from takedowns.choices import CaseState as S
from takedowns.models import PlatformSeller, TakedownCase

from .admin_helpers import new_case_data
from .conftest import make_case, walk

pytestmark = pytest.mark.django_db
ADD = reverse("admin:takedowns_takedowncase_add")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def change_url(case):
    return reverse("admin:takedowns_takedowncase_change", args=[case.pk])


def test_officer_adds_items_and_evidence_on_the_new_case_page(officer, right, client_for):
    client = client_for(officer)
    page = client.get(ADD)
    prefixes = {inline.formset.prefix for inline in page.context["inline_admin_formsets"]}
    assert {"items", "evidence"} <= prefixes
    data = new_case_data(
        page,
        right,
        **{
            "items-TOTAL_FORMS": "2",
            "items-0-kind": "listing",
            "items-0-url": "https://shop.tiktok.com/view/product/4242?utm_source=x",
            "items-0-seller_handle": "@DurianFake",
            "items-1-kind": "shop",
            "items-1-url": "https://shop.tiktok.com/store/durianfake",
            "items-1-seller_handle": "@DurianFake",
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-kind": "screenshot",
            "evidence-0-description": "หน้าร้าน",
            "evidence-0-captured_at_0": "2026-11-30",
            "evidence-0-captured_at_1": "14:05:00",
            "evidence-0-file": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        },
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["errors"]
    case = TakedownCase.objects.get(title="ทุเรียนหมอนทองปลอม")
    assert sorted(case.items.values_list("normalized_url", flat=True)) == [
        "https://shop.tiktok.com/store/durianfake",
        "https://shop.tiktok.com/view/product/4242",
    ]
    evidence = case.evidence.get()
    assert evidence.uploaded_by == officer and evidence.sha256


def test_a_bad_item_on_the_new_case_page_saves_nothing(officer, right, client_for):
    client = client_for(officer)
    data = new_case_data(
        client.get(ADD),
        right,
        **{"items-TOTAL_FORMS": "1", "items-0-kind": "listing", "items-0-url": "javascript:x()"},
    )
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert not TakedownCase.objects.exists()


def test_a_case_reported_to_dip_says_so(officer, right, client_for):
    case = make_case(right)
    page = client_for(officer).get(change_url(case)).content.decode()
    assert "แจ้งเข้ามาที่กรมฯ" in page  # "Reported to DIP": officers read Thai


@pytest.mark.parametrize(
    ("state", "user", "audience"),
    [
        (S.DRAFT, "officer", "internal"),
        (S.READY_TO_FORWARD, "supervisor", "mixed"),
        (S.UNDER_PLATFORM_REVIEW, "liaison", "platform"),
    ],
)
def test_the_step_note_says_whether_the_platform_sees_it(
    state, user, audience, role_users, right, client_for, settings
):
    case = make_case(right)
    walk(case, state, role_users)
    client = client_for(role_users[user])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(change_url(case))
    help_text = str(page.context["adminform"].form.fields["transition_note"].help_text)
    expected = {
        "internal": "Only DIP sees this note",
        "mixed": "The platform sees this note when the case moves to Forwarded",
        "platform": "The platform sees this note in the case's log.",
    }[audience]
    assert expected in help_text, help_text


AUTOCOMPLETE = reverse("admin:autocomplete")


def autocomplete_response(client, field_name, **extra):
    return client.get(
        AUTOCOMPLETE,
        {"app_label": "takedowns", "model_name": "takedowncase", "field_name": field_name, **extra},
    )


def autocomplete(client, field_name, **extra):
    response = autocomplete_response(client, field_name, **extra)
    assert response.status_code == 200, response.status_code
    return {int(result["id"]) for result in response.json()["results"]}


def test_the_right_autocomplete_offers_the_chosen_holders_rights(
    officer, right, other_right, client_for
):
    client = client_for(officer)
    assert autocomplete(client, "right") == {right.pk, other_right.pk}
    assert autocomplete(client, "right", holder=right.owner_id, basis="owner") == {right.pk}
    assert autocomplete(client, "right", holder=right.owner_id, basis="dip_monitoring") == {
        right.pk
    }
    # Acting on a letter of authorization, the reporter may name another owner's right.
    assert autocomplete(client, "right", holder=right.owner_id, basis="authorization_letter") == {
        right.pk,
        other_right.pk,
    }


def test_the_liaisons_autocompletes_offer_only_what_its_cases_show(
    role_users, right, other_right, client_for
):
    forwarded = make_case(right)
    walk(forwarded, S.FORWARDED, role_users)
    make_case(other_right)  # a DIP draft: its holder and right stay hidden from the liaison
    client = client_for(role_users["liaison"])
    assert autocomplete_response(client, "rights_holder").status_code == 403  # no holder list
    assert autocomplete(client, "right") == {right.pk}
    assert autocomplete(client, "right", holder=other_right.owner_id) == set()


def test_a_crafted_post_of_a_right_the_holder_does_not_own_is_refused(
    officer, right, other_right, client_for
):
    client = client_for(officer)
    data = new_case_data(client.get(ADD), right)
    data["right"] = other_right.pk
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "reporter_basis" in response.context["adminform"].form.errors
    assert not TakedownCase.objects.exists()


def test_the_seller_lookup_suggests_reported_handles_by_their_start(officer, client_for):
    for handle, count in (("fakerice", 3), ("fakefish", 1), ("realshop", 5)):
        PlatformSeller.objects.create(handle=handle, case_count=count)
    response = client_for(officer).get(
        AUTOCOMPLETE,
        {
            "app_label": "takedowns",
            "model_name": "infringingitem",
            "field_name": "seller",
            "term": "@Fake",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["@fakerice", "@fakefish"]
    # The seller list's own search still takes a whole handle only.
    page = client_for(officer).get(
        reverse("admin:takedowns_platformseller_changelist"), {"q": "fake"}
    )
    assert page.context["cl"].result_count == 0


# --- issue 25, item 1: the case form keeps what was chosen, and sends a new case to review ----


def evidence_row(file=None, **fields):
    row = {
        "evidence-TOTAL_FORMS": "1",
        "evidence-0-kind": "screenshot",
        "evidence-0-description": "หน้าร้าน",
    }
    if file is not None:
        row["evidence-0-file"] = file
    row.update({f"evidence-0-{name}": value for name, value in fields.items()})
    return row


ONE_ITEM = {
    "items-TOTAL_FORMS": "1",
    "items-0-kind": "listing",
    "items-0-url": "https://shop.tiktok.com/view/product/5151",
    "items-0-seller_handle": "@DurianFake",
}


def test_case_form_keeps_the_evidence_file_after_an_error(
    officer, right, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer)
    upload = SimpleUploadedFile("shot.png", PNG, content_type="image/png")
    data = new_case_data(client.get(ADD), right, **ONE_ITEM, **evidence_row(upload))
    data["reporter_email"] = "not an address"
    failed = client.post(ADD, data)
    assert failed.status_code == 200 and not TakedownCase.objects.exists()
    page = failed.content.decode()
    assert 'class="kept-upload help"' in page and "shot.png" in page
    kept = failed.context["inline_admin_formsets"][1].formset.forms[0]
    reference = re.search(r'name="evidence-0-file__kept" value="([^"]+)"', page).group(1)

    # Posted again without choosing the file: the kept one is attached, checked and hashed.
    data = new_case_data(failed, right, **ONE_ITEM, **evidence_row())
    data["evidence-0-file__kept"] = reference
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["errors"]
    evidence = TakedownCase.objects.get().evidence.get()
    assert evidence.original_name == "shot.png" and evidence.size == len(PNG)
    assert evidence.file.read() == PNG
    assert kept.fields["captured_at"].required is False
    # "Captured at" left empty is the time of upload.
    assert abs((evidence.captured_at - evidence.uploaded_at).total_seconds()) < 60


def test_case_form_refuses_a_forged_kept_file_reference(
    officer, right, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer)
    data = new_case_data(client.get(ADD), right, **evidence_row())
    data["evidence-0-file__kept"] = "kept-uploads/../../etc/passwd"
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "file" in response.context["inline_admin_formsets"][1].formset.forms[0].errors
    assert not TakedownCase.objects.exists()


def test_case_form_does_not_keep_a_refused_file(officer, right, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer)
    page_as_png = SimpleUploadedFile("shot.png", b"<html>x</html>", content_type="image/png")
    data = new_case_data(client.get(ADD), right, **evidence_row(page_as_png))
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "evidence-0-file__kept" not in response.content.decode()
    assert not (tmp_path / "kept-uploads").exists()


def test_case_form_creates_a_case_and_sends_it_to_review_in_one_save(
    officer, right, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer)
    page = client.get(ADD)
    form = page.context["adminform"].form
    assert [state for state, _label in form.fields["transition"].choices] == ["", S.DIP_REVIEW]
    # The step comes right after the case's first fields, not under the whole page.
    titles = [fieldset.name for fieldset in page.context["adminform"]]
    assert titles[1] == "ขั้นตอนถัดไป"  # "Next step"
    upload = SimpleUploadedFile("shot.png", PNG, content_type="image/png")
    data = new_case_data(page, right, transition=S.DIP_REVIEW, **ONE_ITEM, **evidence_row(upload))
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["errors"]
    case = TakedownCase.objects.get()
    assert case.state == S.DIP_REVIEW and case.submitted_at is not None
    assert case.items.count() == 1 and case.evidence.count() == 1
    assert list(case.events.values_list("from_state", "to_state", "actor")) == [
        ("", S.DRAFT, officer.pk),
        (S.DRAFT, S.DIP_REVIEW, officer.pk),
    ]


def test_case_form_refuses_withdrawing_or_a_crafted_step_on_a_new_case(
    role_users, right, client_for
):
    client = client_for(role_users["officer"])
    for to_state in (S.WITHDRAWN, S.FORWARDED):
        data = new_case_data(client.get(ADD), right, transition=to_state)
        response = client.post(ADD, data)
        assert response.status_code == 200
        assert "transition" in response.context["adminform"].form.errors
    assert not TakedownCase.objects.exists()
