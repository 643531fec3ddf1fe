"""Issue 25, item 7: the supervisor's day: an "awaiting my review" queue, and forwarding that
asks for confirmation first and sits apart from deleting (targets: tests/portal/
test_target_admin.py; the token's copy button: tests/api/test_token_admin.py)."""

import pytest
from django.urls import reverse

from takedowns.choices import CaseState as S
from takedowns.models import TakedownCase
from takedowns.selectors import work_queue_cases

from .conftest import make_case, walk

pytestmark = pytest.mark.django_db
CASES = reverse("admin:takedowns_takedowncase_changelist")


def test_supervisor_queue_awaiting_my_review(role_users, right, client_for):
    officer, supervisor = role_users["officer"], role_users["supervisor"]
    sent_by_officer = walk(make_case(right, assigned_officer=officer), S.DIP_REVIEW, role_users)
    own = walk(make_case(right, assigned_officer=supervisor), S.DIP_REVIEW, role_users)
    walk(make_case(right), S.READY_TO_FORWARD, role_users)
    make_case(right)  # a draft
    client = client_for(supervisor)
    page = client.get(CASES)
    assert "?queue=awaiting_my_review" in page.content.decode()
    queue = client.get(CASES, {"queue": "awaiting_my_review"})
    assert [case.pk for case in queue.context["cl"].result_list] == [sent_by_officer.pk]
    assert own.pk not in {case.pk for case in queue.context["cl"].result_list}
    # Not the officer's queue, even asked for by hand.
    assert not work_queue_cases(user=officer, key="awaiting_my_review").exists()
    assert "awaiting_my_review" not in client_for(officer).get(CASES).content.decode()


def test_forward_action_asks_for_confirmation_and_sits_apart_from_delete(
    role_users, right, client_for
):
    ready = walk(make_case(right), S.READY_TO_FORWARD, role_users)
    no_summary = walk(make_case(right, summary_en=""), S.READY_TO_FORWARD, role_users)
    client = client_for(role_users["supervisor"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    choices = [
        name for name, _label in client.get(CASES).context["action_form"].fields["action"].choices
    ]
    assert choices[1] == "forward_selected" and choices[-1] == "delete_selected"
    selected = {"action": "forward_selected", "_selected_action": [ready.pk, no_summary.pk]}

    asked = client.post(CASES, selected)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Forward these cases to the platform?" in page
    assert "1 case will be sent to the platform" in page
    assert "Write the English summary for the platform first." in page  # why one cannot go
    assert set(TakedownCase.objects.values_list("state", flat=True)) == {S.READY_TO_FORWARD}

    done = client.post(CASES, {**selected, "post": "yes"}, follow=True)
    assert done.status_code == 200
    ready.refresh_from_db()
    no_summary.refresh_from_db()
    assert (ready.state, no_summary.state) == (S.FORWARDED, S.READY_TO_FORWARD)


def test_officer_cannot_reach_the_forward_confirmation(role_users, right, client_for):
    ready = walk(make_case(right), S.READY_TO_FORWARD, role_users)
    client = client_for(role_users["officer"])
    response = client.post(CASES, {"action": "forward_selected", "_selected_action": [ready.pk]})
    assert b"forward_selected_confirmation" not in response.content
    assert "Forward these cases" not in response.content.decode()
    ready.refresh_from_db()
    assert ready.state == S.READY_TO_FORWARD
