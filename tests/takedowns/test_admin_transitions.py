"""Every transition of the state machine through the admin, by every role: the role the table
names succeeds (and the step is logged), every other role is refused and nothing changes."""

import pytest
from django.urls import reverse

from takedowns import case_items, transitions
from takedowns.choices import CaseState, ReasonUse
from takedowns.models import ReasonCode, StatusEvent, TakedownCase

from .admin_helpers import post_data
from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db
ROLES = ("officer", "supervisor", "liaison", "manager")
ROLE_PERMISSIONS = {
    "officer": {transitions.PERM_DIP},
    "supervisor": {transitions.PERM_DIP, transitions.PERM_FORWARD},
    "liaison": {transitions.PERM_PLATFORM},
    "manager": set(),
}
CASES = sorted(transitions.TRANSITIONS.items(), key=lambda pair: (pair[0][0], pair[0][1]))


def attempt(client, case, to_state, rule):
    url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    page = client.get(url)
    if page.status_code != 200:
        return page
    extra = {"transition": to_state, "transition_note": "บันทึกประกอบขั้นตอน"}
    if rule.reason:
        code = "link_not_found" if rule.reason == ReasonUse.INFO_REQUEST else "no_infringement"
        extra["transition_reason"] = ReasonCode.objects.get(code=code).pk
    if "adminform" not in (page.context or {}):
        return page
    return client.post(url, post_data(page, **extra))


@pytest.mark.parametrize(
    "from_state, to_state, rule",
    [(f, t, rule) for (f, t), rule in CASES],
    ids=[f"{f}->{t}" for (f, t), _rule in CASES],
)
def test_transition_by_every_role(role_users, right, client_for, from_state, to_state, rule):
    allowed = [role for role in ROLES if rule.permission in ROLE_PERMISSIONS[role]]
    assert allowed, "every transition belongs to some role"

    refused_case = walk(make_case(right, items=2), from_state, role_users)
    events_before = StatusEvent.objects.filter(case=refused_case).count()
    for role in ROLES:
        if role in allowed:
            continue
        response = attempt(client_for(role_users[role]), refused_case, to_state, rule)
        if response.status_code == 200:
            form = response.context["adminform"].form
            assert form.errors.get("transition"), (role, form.errors)
        else:
            assert response.status_code in (302, 403), role
        refused_case.refresh_from_db()
        assert refused_case.state == from_state, role
        assert StatusEvent.objects.filter(case=refused_case).count() == events_before, role

    for role in allowed:
        case = walk(make_case(right, items=2), from_state, role_users)
        if to_state == S.PARTIALLY_REMOVED:  # the platform removed one item, not the other
            case_items.item_record_outcome(
                item=case.items.first(),
                outcome="removed",
                actor=role_users["liaison"],
                roll_up=False,
            )
        response = attempt(client_for(role_users[role]), case, to_state, rule)
        assert response.status_code == 302, (
            role,
            response.context and response.context["adminform"].form.errors,
        )
        case = TakedownCase.objects.get(pk=case.pk)
        assert case.state == to_state, role
        event = case.events.filter(item=None).last()
        assert (event.from_state, event.to_state, event.actor) == (
            from_state,
            to_state,
            role_users[role],
        )
        if rule.reason:
            assert event.reason_code is not None
