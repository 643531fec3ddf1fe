from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from takedowns import transitions
from takedowns.choices import CaseState, ItemOutcome
from takedowns.models import InfringingItem, StatusEvent, TakedownCase

from .admin_helpers import new_case_data, post_data
from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db


def change_url(case):
    return reverse("admin:takedowns_takedowncase_change", args=[case.pk])


def move(client, case, to_state, **extra):
    page = client.get(change_url(case))
    assert page.status_code == 200
    return client.post(change_url(case), post_data(page, transition=to_state, **extra))


def test_officer_creates_a_case_with_items_through_the_admin(officer, right, client_for):
    client = client_for(officer)
    url = reverse("admin:takedowns_takedowncase_add")
    page = client.get(url)
    assert page.status_code == 200
    data = new_case_data(page, right)
    # Items can also be added later, once the case exists.
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = TakedownCase.objects.get(title="ทุเรียนหมอนทองปลอม")
    assert case.reference.startswith("TD-") and case.state == S.DRAFT
    assert case.events.get().actor == officer

    page = client.get(change_url(case))
    data = post_data(
        page,
        **{
            "items-TOTAL_FORMS": "1",
            "items-0-kind": "listing",
            "items-0-url": "https://shop.tiktok.com/view/product/999?utm_source=a",
            "items-0-seller_handle": "@DurianFake",
            "items-0-case": str(case.pk),
        },
    )
    response = client.post(change_url(case), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = case.items.get()
    assert item.normalized_url == "https://shop.tiktok.com/view/product/999"
    assert item.seller_handle == "durianfake"


def test_full_walk_through_the_admin_by_the_right_roles(role_users, right, client_for):
    case = make_case(right, items=2)
    officer, supervisor, liaison = (role_users[r] for r in ("officer", "supervisor", "liaison"))
    for user, to_state, extra in [
        (officer, S.DIP_REVIEW, {}),
        (officer, S.READY_TO_FORWARD, {}),
        (supervisor, S.FORWARDED, {}),
        (liaison, S.UNDER_PLATFORM_REVIEW, {"ippc_ticket_id": "IPPC-7781"}),
        (
            liaison,
            S.INFO_REQUESTED,
            {"transition_reason": "", "transition_note": "certificate please"},
        ),
    ]:
        if to_state == S.INFO_REQUESTED:
            from takedowns.models import ReasonCode

            extra["transition_reason"] = ReasonCode.objects.get(code="ownership_not_proven").pk
        response = move(client_for(user), case, to_state, **extra)
        assert response.status_code == 302, response.context["adminform"].form.errors
        case.refresh_from_db()
        assert case.state == to_state
    assert case.ippc_ticket_id == "IPPC-7781"
    response = move(client_for(officer), case, S.UNDER_PLATFORM_REVIEW, transition_note="sent")
    assert response.status_code == 302
    response = move(client_for(liaison), case, S.REMOVED)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == S.REMOVED and case.takedown_seconds is not None
    assert set(case.items.values_list("outcome", flat=True)) == {ItemOutcome.REMOVED}
    assert move(client_for(liaison), case, S.APPEALED).status_code == 302
    assert move(client_for(liaison), case, S.REMOVAL_UPHELD).status_code == 302
    assert move(client_for(officer), case, S.CLOSED).status_code == 302
    case.refresh_from_db()
    assert case.state == S.CLOSED
    steps = [(e.to_state, e.actor.username) for e in case.events.filter(item=None)[1:]]
    assert steps == [
        (S.DIP_REVIEW, "officer"),
        (S.READY_TO_FORWARD, "officer"),
        (S.FORWARDED, "supervisor"),
        (S.UNDER_PLATFORM_REVIEW, "liaison"),
        (S.INFO_REQUESTED, "liaison"),
        (S.UNDER_PLATFORM_REVIEW, "officer"),
        (S.REMOVED, "liaison"),
        (S.APPEALED, "liaison"),
        (S.REMOVAL_UPHELD, "liaison"),
        (S.CLOSED, "officer"),
    ]
    assert case.events.get(to_state=S.INFO_REQUESTED).reason_code.code == "ownership_not_proven"


@pytest.mark.parametrize(
    "role, state, to_state",
    [
        ("officer", S.READY_TO_FORWARD, S.FORWARDED),
        ("liaison", S.FORWARDED, S.WITHDRAWN),
        ("officer", S.FORWARDED, S.UNDER_PLATFORM_REVIEW),
        ("supervisor", S.UNDER_PLATFORM_REVIEW, S.REMOVED),
        ("officer", S.DRAFT, S.REMOVED),
    ],
)
def test_crafted_transition_posts_are_refused(role_users, right, client_for, role, state, to_state):
    case = walk(make_case(right), state, role_users)
    response = move(client_for(role_users[role]), case, to_state)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["transition"]
    case.refresh_from_db()
    assert case.state == state
    assert not StatusEvent.objects.filter(case=case, to_state=to_state).exists()


def test_manager_can_view_but_not_post(manager, role_users, right, client_for):
    case = walk(make_case(right), S.DIP_REVIEW, role_users)
    client = client_for(manager)
    assert client.get(change_url(case)).status_code == 200
    response = client.post(change_url(case), {"title": "hacked", "transition": S.DRAFT})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.title != "hacked" and case.state == S.DIP_REVIEW


def test_outsider_sees_nothing(outsider, right, client_for):
    case = make_case(right)
    client = client_for(outsider)
    assert client.get(reverse("admin:takedowns_takedowncase_changelist")).status_code == 403
    assert client.get(change_url(case)).status_code == 403


def test_liaison_sees_only_forwarded_cases_and_no_personal_data(role_users, right, client_for):
    draft = make_case(right)
    forwarded = walk(make_case(right), S.FORWARDED, role_users)
    client = client_for(role_users["liaison"])
    page = client.get(reverse("admin:takedowns_takedowncase_changelist")).content.decode()
    assert forwarded.reference in page and draft.reference not in page
    assert client.get(change_url(draft)).status_code == 302  # "does not exist" redirect
    detail = client.get(change_url(forwarded)).content.decode()
    assert "0812345678" not in detail  # reporter phone
    assert "somchai@ipthailand.go.th" in detail  # the contact the platform needs


def test_liaison_changes_only_platform_fields_even_with_a_crafted_post(
    role_users, right, client_for
):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    client = client_for(role_users["liaison"])
    page = client.get(change_url(case))
    data = post_data(
        page,
        ippc_ticket_id="IPPC-1",
        platform_note="checked",
        title="hacked",
        priority="low",
        reporter_email="evil@example.org",
        internal_note="hacked",
        **{"items-0-url": "https://evil.example.org/x", "items-0-kind": "shop"},
    )
    response = client.post(change_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.ippc_ticket_id, case.platform_note) == ("IPPC-1", "checked")
    assert case.title == "ข้าวหอมมะลิปลอม" and case.priority == "normal"
    assert case.reporter_email == "somchai@ipthailand.go.th" and case.internal_note == ""
    assert case.items.get().kind == "listing"


def test_liaison_records_item_outcomes_that_roll_up(role_users, right, client_for):
    from takedowns.models import ReasonCode

    case = walk(make_case(right, items=2), S.UNDER_PLATFORM_REVIEW, role_users)
    first, second = case.items.all()
    client = client_for(role_users["liaison"])
    page = client.get(change_url(case))
    data = post_data(
        page,
        **{
            "items-0-outcome": ItemOutcome.REMOVED,
            "items-1-outcome": ItemOutcome.NOT_REMOVED,
            "items-1-outcome_reason": "",
        },
    )
    response = client.post(change_url(case), data)
    assert response.status_code == 200  # not removed needs a reason code
    assert InfringingItem.objects.get(pk=first.pk).outcome == ItemOutcome.PENDING
    data["items-1-outcome_reason"] = ReasonCode.objects.get(code="no_infringement").pk
    response = client.post(change_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == S.PARTIALLY_REMOVED


def test_lost_update_is_refused_and_nothing_is_overwritten(role_users, right, client_for):
    case = walk(make_case(right), S.DIP_REVIEW, role_users)
    officer_client = client_for(role_users["officer"])
    stale_page = officer_client.get(change_url(case))
    first = post_data(stale_page, title="first save")
    second = post_data(stale_page, title="second save", priority="urgent")
    assert officer_client.post(change_url(case), first).status_code == 302
    response = officer_client.post(change_url(case), second)
    assert response.status_code == 200
    assert "Someone else saved this case" in response.content.decode() or (
        "stale" in [e.code for e in response.context["adminform"].form.non_field_errors().data]
    )
    case.refresh_from_db()
    assert case.title == "first save" and case.priority == "normal"


def test_a_stale_transition_is_refused(role_users, right, client_for):
    case = walk(make_case(right), S.DIP_REVIEW, role_users)
    client = client_for(role_users["officer"])
    stale_page = client.get(change_url(case))
    assert move(client, case, S.READY_TO_FORWARD).status_code == 302
    response = client.post(
        change_url(case), post_data(stale_page, transition=S.DRAFT, transition_note="back")
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == S.READY_TO_FORWARD


def test_duplicate_url_is_refused_with_a_link(role_users, right, client_for):
    first = make_case(right)
    second = make_case(right, items=0)
    client = client_for(role_users["officer"])
    page = client.get(change_url(second))
    data = post_data(
        page,
        **{
            "items-TOTAL_FORMS": "1",
            "items-0-kind": "listing",
            "items-0-url": first.items.get().url.upper().replace("HTTPS", "http"),
            "items-0-case": str(second.pk),
        },
    )
    data["items-0-url"] = first.items.get().normalized_url + "/?fbclid=zzz"
    response = client.post(change_url(second), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert first.reference in body and change_url(first) in body
    assert second.items.count() == 0


def test_supervisor_deletes_drafts_only(role_users, right, client_for):
    draft = make_case(right)
    forwarded = walk(make_case(right), S.FORWARDED, role_users)
    client = client_for(role_users["supervisor"])
    delete = "admin:takedowns_takedowncase_delete"
    assert client.post(reverse(delete, args=[forwarded.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse(delete, args=[draft.pk]), {"post": "yes"}).status_code == 302
    assert not TakedownCase.objects.filter(pk=draft.pk).exists()
    officer = client_for(role_users["officer"])
    other = make_case(right)
    assert officer.post(reverse(delete, args=[other.pk]), {"post": "yes"}).status_code == 403


def test_decision_time_entered_by_the_liaison(role_users, right, client_for):
    start = timezone.now() - timedelta(days=3)
    case = walk(
        make_case(right, created_at=start), S.UNDER_PLATFORM_REVIEW, role_users, start=start
    )
    decided = timezone.localtime(timezone.now() - timedelta(hours=2))
    response = move(
        client_for(role_users["liaison"]),
        case,
        S.REMOVED,
        transition_at_0=decided.strftime("%Y-%m-%d"),
        transition_at_1=decided.strftime("%H:%M:%S"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    # the platform's stated time is kept beside the server's, which the figures count from
    assert abs((case.platform_decided_at - decided).total_seconds()) < 1
    assert case.decided_at > decided


def test_liaison_log_starts_at_forwarding(role_users, right, client_for):
    case = walk(make_case(right), S.DIP_REVIEW, role_users)
    transitions.case_transition(
        case=case, to_state=S.DRAFT, actor=role_users["officer"], note="แก้ชื่อผู้แจ้งก่อน"
    )
    walk(case, S.UNDER_PLATFORM_REVIEW, role_users)
    page = client_for(role_users["liaison"]).get(change_url(case)).content.decode()
    assert "แก้ชื่อผู้แจ้งก่อน" not in page
    assert page.count('class="td-event"') == 2  # forwarded, under platform review
    officer_page = client_for(role_users["officer"]).get(change_url(case)).content.decode()
    assert "แก้ชื่อผู้แจ้งก่อน" in officer_page
    events = reverse("admin:takedowns_statusevent_changelist")
    listing = client_for(role_users["liaison"]).get(events).content.decode()
    assert listing.count(case.reference) == 2


def test_read_only_items_carry_the_ids_their_formset_reads_back(role_users, right, client_for):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    response = client_for(role_users["officer"]).get(change_url(case))
    page = response.content.decode()
    (items,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "items"
    ]
    assert page.count('class="td-item"') == len(items.forms) > 0  # the plain table
    for form in items.forms:
        assert str(form["id"]) in page  # as Django's HiddenInput renders it


# --- issue 25, item 4: the liaison decides a forwarded case's items in one save --------------


def test_liaison_decides_the_items_of_a_forwarded_case_in_one_save(role_users, right, client_for):
    case = walk(make_case(right, items=2), S.FORWARDED, role_users)
    liaison = role_users["liaison"]
    client = client_for(liaison)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(change_url(case))
    data = post_data(
        page, **{"items-0-outcome": ItemOutcome.REMOVED, "items-1-outcome": ItemOutcome.REMOVED}
    )
    response = client.post(change_url(case), data, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "All items decided: the case moved to “Removed”." in messages, messages
    case.refresh_from_db()
    assert case.state == S.REMOVED
    steps = list(
        case.events.filter(item__isnull=True).order_by("at", "id").values_list("to_state", "actor")
    )
    # The review the decisions imply is its own step of the log, in the liaison's name.
    assert steps[-2:] == [(S.UNDER_PLATFORM_REVIEW, liaison.pk), (S.REMOVED, liaison.pk)]


def test_liaison_decides_some_items_of_a_forwarded_case(role_users, right, client_for):
    case = walk(make_case(right, items=2), S.FORWARDED, role_users)
    client = client_for(role_users["liaison"])
    data = post_data(client.get(change_url(case)), **{"items-0-outcome": ItemOutcome.REMOVED})
    response = client.post(change_url(case), data, follow=True)
    assert response.status_code == 200
    assert not any("All items decided" in str(m) for m in response.context["messages"])
    case.refresh_from_db()
    assert case.state == S.UNDER_PLATFORM_REVIEW
    assert sorted(case.items.values_list("outcome", flat=True)) == ["pending", "removed"]


def test_officer_cannot_decide_the_items_of_a_forwarded_case_by_a_crafted_post(
    role_users, right, client_for
):
    case = walk(make_case(right), S.FORWARDED, role_users)
    client = client_for(role_users["officer"])
    data = post_data(client.get(change_url(case)))
    data.update({"items-0-id": case.items.get().pk, "items-0-outcome": ItemOutcome.REMOVED})
    client.post(change_url(case), data)
    case.refresh_from_db()
    assert case.state == S.FORWARDED
    assert case.items.get().outcome == ItemOutcome.PENDING
