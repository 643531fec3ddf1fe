"""Every move of the state machine is in the case's audit history, whoever makes it; which
events of a case's log the platform sees is one rule for the admin and the API."""

import pytest
from django.core.exceptions import ValidationError

from takedowns import case_items, selectors, transitions
from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent
from tests.takedowns.conftest import make_case, walk

pytestmark = pytest.mark.django_db


def test_case_transition_records_history_in_the_actors_name(right, role_users):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    rows = case.history.count()
    transitions.case_transition(
        case=case, to_state=S.REMOVED, actor=role_users["liaison"], change_reason="by hand"
    )
    assert case.history.count() == rows + 1
    latest = case.history.latest()
    assert (latest.state, latest.history_user, latest.history_change_reason) == (
        S.REMOVED,
        role_users["liaison"],
        "by hand",
    )
    assert latest.removed_at == case.removed_at


def test_every_step_of_a_walk_is_in_the_history(right, role_users):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    states = list(case.history.order_by("history_id").values_list("state", "history_user"))
    assert states[-4:] == [
        (S.DIP_REVIEW, role_users["officer"].pk),
        (S.READY_TO_FORWARD, role_users["officer"].pk),
        (S.FORWARDED, role_users["supervisor"].pk),
        (S.UNDER_PLATFORM_REVIEW, role_users["liaison"].pk),
    ]


def test_item_outcome_and_roll_up_are_in_the_history(right, role_users):
    liaison = role_users["liaison"]
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    item = case.items.get()
    case_items.item_record_outcome(item=item, outcome="removed", actor=liaison, change_reason="api")
    assert (item.history.latest().outcome, item.history.latest().history_user) == (
        "removed",
        liaison,
    )
    latest = case.history.latest()
    assert (latest.state, latest.history_user, latest.history_change_reason) == (
        S.REMOVED,
        liaison,
        "api",
    )


def test_refused_move_records_no_history(right, role_users):
    case = walk(make_case(right), S.FORWARDED, role_users)
    rows = case.history.count()
    with pytest.raises(ValidationError):
        transitions.case_transition(case=case, to_state=S.REMOVED, actor=role_users["liaison"])
    assert case.history.count() == rows


def test_the_platform_sees_the_log_from_forwarding_on(right, role_users):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    events = StatusEvent.objects.filter(case=case)
    seen = selectors.events_visible_to(user=role_users["liaison"], queryset=events)
    assert sorted(seen.values_list("to_state", flat=True)) == sorted(
        [S.FORWARDED, S.UNDER_PLATFORM_REVIEW]
    )
    for role in ("officer", "supervisor", "manager"):
        everything = selectors.events_visible_to(user=role_users[role], queryset=events)
        assert everything.count() == events.count() == 5


def test_admin_and_api_use_the_services_rule():
    from portal.api import views
    from takedowns import admin

    assert views.events_visible_to is selectors.events_visible_to
    assert not hasattr(views, "platform_events_only")
    assert not hasattr(admin, "DIP_INTERNAL_STATES")
