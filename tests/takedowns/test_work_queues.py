"""Work queues: where each role starts its day, and the supervisor's bulk "forward selected"."""

import pytest
from django.urls import reverse

from takedowns.choices import CaseState
from takedowns.models import TakedownCase
from tests.takedowns.admin_helpers import new_case_data
from tests.takedowns.conftest import make_case, walk

pytestmark = pytest.mark.django_db
S = CaseState
CHANGELIST = reverse("admin:takedowns_takedowncase_changelist")


@pytest.fixture
def users(officer, supervisor, liaison):
    return {"officer": officer, "supervisor": supervisor, "liaison": liaison}


def listed(client, **params) -> set[str]:
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {case.reference for case in response.context["cl"].result_list}


def queue_keys(response) -> set[str]:
    """The queues the filter offers (a user with none is not shown the filter at all)."""
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "parameter_name", "") == "queue":
            return {key for key, _ in spec.lookup_choices}
    return set()


def test_each_role_is_offered_only_its_own_work_queues(
    officer, supervisor, liaison, manager, client_for
):
    expected = {
        officer: {"my_drafts", "my_review", "info_requested"},
        supervisor: {
            "my_drafts",
            "my_review",
            "awaiting_my_review",
            "info_requested",
            "ready_to_forward",
        },
        liaison: {"awaiting_decision"},
        manager: set(),
    }
    for user, keys in expected.items():
        assert queue_keys(client_for(user).get(CHANGELIST)) == keys, user


def test_officer_queue_my_drafts_holds_only_the_officers_own_drafts(
    right, officer, users, client_for, django_user_model
):
    other = django_user_model.objects.create_user("other_officer")
    other.groups.add(*officer.groups.all())
    mine = make_case(right, assigned_officer=officer)
    theirs = make_case(right, assigned_officer=other)
    reviewed = walk(make_case(right, assigned_officer=officer), S.DIP_REVIEW, users)
    client = client_for(officer)
    assert listed(client, queue="my_drafts") == {mine.reference}
    assert listed(client, queue="my_review") == {reviewed.reference}
    assert theirs.reference in listed(client)


def test_a_case_the_officer_created_in_the_admin_is_in_my_drafts(right, officer, client_for):
    client = client_for(officer)
    add = reverse("admin:takedowns_takedowncase_add")
    data = new_case_data(client.get(add), right, title="ทุเรียนปลอม")
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = TakedownCase.objects.get(title="ทุเรียนปลอม")
    assert listed(client, queue="my_drafts") == {created.reference}


def test_liaison_queue_awaiting_my_decision_and_its_state_filter(right, users, client_for):
    forwarded = walk(make_case(right), S.FORWARDED, users)
    appealed = walk(make_case(right), S.APPEALED, users)
    walk(make_case(right), S.REMOVED, users)
    make_case(right)  # a DIP draft
    client = client_for(users["liaison"])
    assert listed(client, queue="awaiting_decision") == {forwarded.reference, appealed.reference}

    response = client.get(CHANGELIST)
    spec = next(
        s
        for s in response.context["cl"].filter_specs
        if getattr(s, "parameter_name", "") == "state__exact"
    )
    offered = {key for key, _ in spec.lookup_choices}
    assert S.FORWARDED in offered and S.REMOVED in offered
    assert not offered & {S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD}


def test_a_crafted_queue_of_another_role_shows_nothing(right, users, client_for):
    walk(make_case(right), S.READY_TO_FORWARD, users)
    assert listed(client_for(users["officer"]), queue="ready_to_forward") == set()
    assert listed(client_for(users["liaison"]), queue="my_drafts") == set()


def test_supervisor_forwards_the_selected_cases_through_the_transition_service(
    right, users, client_for
):
    ready = [walk(make_case(right), S.READY_TO_FORWARD, users) for _ in range(2)]
    draft = make_case(right)
    client = client_for(users["supervisor"])
    assert listed(client, queue="ready_to_forward") == {case.reference for case in ready}

    response = client.post(
        CHANGELIST,
        {
            "action": "forward_selected",
            "_selected_action": [c.pk for c in [*ready, draft]],
            "post": "yes",  # confirmed (test_supervisor_day)
        },
        follow=True,
    )
    text = response.content.decode()
    for case in ready:
        case.refresh_from_db()
        assert case.state == S.FORWARDED
        assert case.events.filter(to_state=S.FORWARDED, actor=users["supervisor"]).exists()
        assert case.sla_due_at is not None
    draft.refresh_from_db()
    assert draft.state == S.DRAFT
    assert draft.reference in text  # named with the reason it was not forwarded
    assert listed(client, queue="ready_to_forward") == set()


def test_officer_cannot_forward_by_a_crafted_action_post(right, users, client_for):
    ready = walk(make_case(right), S.READY_TO_FORWARD, users)
    client = client_for(users["officer"])
    client.post(CHANGELIST, {"action": "forward_selected", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.state == S.READY_TO_FORWARD
    assert not ready.events.filter(to_state=S.FORWARDED).exists()


def test_decision_sheet_help_lists_only_platform_decisions(liaison, client_for):
    response = client_for(liaison).get(reverse("admin:api_decisionupload_add"))
    offered = {value for value, _ in response.context["decisions"]}
    assert {S.REMOVED, S.NOT_REMOVED, S.UNDER_PLATFORM_REVIEW} <= offered
    assert not offered & {S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD, S.FORWARDED, S.CLOSED}
