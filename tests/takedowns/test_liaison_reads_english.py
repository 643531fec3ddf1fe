"""Issue 25, item 3: the liaison reads every case in English: DIP's English summary (required
before forwarding), listing titles with their original language marked, and the information
requests with their answers at the top of the case and in the officer's queue."""

import pytest
from django.urls import reverse

from takedowns import transitions
from takedowns.choices import CaseState as S

from .admin_helpers import post_data
from .conftest import make_case, walk

pytestmark = pytest.mark.django_db
CASES = reverse("admin:takedowns_takedowncase_changelist")


def change_url(case):
    return reverse("admin:takedowns_takedowncase_change", args=[case.pk])


def in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def test_forwarding_needs_the_english_summary_on_the_case_page_and_in_the_bulk_action(
    role_users, right, client_for
):
    case = walk(make_case(right, summary_en=""), S.READY_TO_FORWARD, role_users)
    client = in_english(client_for(role_users["supervisor"]))
    page = client.get(change_url(case))
    response = client.post(change_url(case), post_data(page, transition=S.FORWARDED))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["transition"]
    assert "Write the English summary for the platform first." in errors
    response = client.post(
        CASES, {"action": "forward_selected", "_selected_action": [case.pk], "post": "yes"}
    )
    case.refresh_from_db()
    assert case.state == S.READY_TO_FORWARD

    page = client.get(change_url(case))
    summary = "Counterfeit Thung Kula rice sold on two listings."
    response = client.post(
        change_url(case), post_data(page, summary_en=summary, transition=S.FORWARDED)
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.summary_en) == (S.FORWARDED, summary)


def test_the_transition_itself_refuses_a_case_without_a_summary(role_users, right):
    case = walk(make_case(right, summary_en="  "), S.READY_TO_FORWARD, role_users)
    with pytest.raises(transitions.ValidationError) as refused:
        transitions.case_transition(case=case, to_state=S.FORWARDED, actor=role_users["supervisor"])
    assert "summary_missing" in [error.code for error in refused.value.error_list]


def test_liaison_reads_the_summary_and_the_listing_titles_language(role_users, right, client_for):
    case = make_case(right, items=0, summary_en="Fake jasmine rice under the holder's mark.")
    case.items.create(kind="listing", url="https://shop.tiktok.com/view/product/1", title="ข้าวหอม")
    case.items.create(kind="listing", url="https://shop.tiktok.com/view/product/2", title="Rice")
    walk(case, S.FORWARDED, role_users)
    client = in_english(client_for(role_users["liaison"]))
    page = client.get(change_url(case)).content.decode()
    assert "Fake jasmine rice under the holder&#x27;s mark." in page
    assert '<span lang="th">ข้าวหอม</span> <span class="td-lang">(original language: Thai)' in page
    assert '<span lang="en">Rice</span> <span class="td-lang">(original language: English)' in page
    listing = client.get(CASES).content.decode()
    assert "English summary" in listing and "Fake jasmine rice" in listing
    assert "ข้าวหอมมะลิปลอม" not in listing  # the Thai title is not the liaison's column


def test_a_closed_cases_read_only_items_mark_the_titles_language(role_users, right, client_for):
    case = make_case(right, items=0)
    case.items.create(kind="listing", url="https://shop.tiktok.com/view/product/3", title="ข้าว")
    walk(case, S.REMOVED, role_users)
    page = in_english(client_for(role_users["liaison"])).get(change_url(case)).content.decode()
    assert '<span lang="th">ข้าว</span> <span class="td-lang">(original language: Thai)' in page


def test_information_requests_and_answers_are_at_the_top_for_both_sides_and_in_the_queue(
    role_users, right, client_for
):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    transitions.case_transition(
        case=case,
        to_state=S.INFO_REQUESTED,
        actor=role_users["liaison"],
        reason_code="link_not_found",
        note="Please send the listing's shop ID.",
    )
    officer = in_english(client_for(role_users["officer"]))
    queue = officer.get(CASES, {"queue": "info_requested"}).content.decode()
    assert "What the platform asked" in queue and "Please send the listing&#x27;s shop ID." in queue
    page = officer.get(change_url(case)).content.decode()
    top = page.index('id="td-info-requests"')
    assert top < page.index('id="id_title"')  # above the case's fields
    assert "Not answered yet." in page[top:]

    transitions.case_transition(
        case=case,
        to_state=S.UNDER_PLATFORM_REVIEW,
        actor=role_users["officer"],
        note="The shop ID is 7001.",
    )
    for user in ("officer", "liaison"):
        page = in_english(client_for(role_users[user])).get(change_url(case)).content.decode()
        box = page[page.index('id="td-info-requests"') : page.index('id="id_')]
        assert "Please send the listing&#x27;s shop ID." in box, user
        assert "The shop ID is 7001." in box and "Not answered yet." not in box, user
