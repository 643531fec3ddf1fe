"""Posting decisions: through the same state machine as the admin, retry-safe with a key."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.models import HistoricalRecords

from portal.api.models import IdempotencyKey
from takedowns import decisions, transitions
from takedowns.choices import CaseState as S
from takedowns.choices import ItemOutcome
from takedowns.models import StatusEvent

pytestmark = pytest.mark.django_db


def decide(api, case, key=None, **body):
    return api.post(
        reverse("api:case-decision", args=[case.reference]),
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def decide_item(api, item, key=None, **body):
    return api.post(
        reverse("api:item-decision", args=[item.pk]),
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def test_liaison_records_a_removal_with_ticket_id(case_in, liaison_api, liaison):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    response = decide(liaison_api, case, decision="removed", ippc_ticket_id="IPPC-77")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["changed"] is True
    assert body["case"]["state"] == "removed" and body["case"]["ippc_ticket_id"] == "IPPC-77"
    assert body["case"]["items"][0]["outcome"] == "removed"
    case.refresh_from_db()
    assert case.state == S.REMOVED and case.ippc_ticket_id == "IPPC-77"
    event = case.events.order_by("-id").first()
    assert (event.from_state, event.to_state, event.actor) == (
        S.UNDER_PLATFORM_REVIEW,
        S.REMOVED,
        liaison,
    )


def test_a_retry_with_the_same_key_returns_the_first_answer_and_changes_nothing(
    case_in, liaison_api
):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    first = decide(liaison_api, case, key="retry-1", decision="removed")
    events = StatusEvent.objects.count()
    second = decide(liaison_api, case, key="retry-1", decision="removed")
    assert second.status_code == first.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert StatusEvent.objects.count() == events


def test_a_refusal_is_replayed_too(case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    refused = decide(liaison_api, case, key="k", decision="not_removed")  # no reason code
    assert refused.status_code == 422 and refused.json()["code"] == "reason_required"
    again = decide(liaison_api, case, key="k", decision="not_removed")
    assert again.json() == refused.json() and again["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_refused(case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    decide(liaison_api, case, key="k", decision="removed")
    other = decide(liaison_api, case, key="k", decision="already_unavailable")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    case.refresh_from_db()
    assert case.state == S.REMOVED


def test_keys_belong_to_one_user(case_in, liaison_api, api_as, django_user_model):
    from django.contrib.auth.models import Group

    from portal.roles import LIAISON

    other = django_user_model.objects.create_user("liaison2", is_staff=True)
    other.groups.add(Group.objects.get(name=LIAISON))
    a, b = case_in(S.UNDER_PLATFORM_REVIEW), case_in(S.UNDER_PLATFORM_REVIEW)
    decide(liaison_api, a, key="shared", decision="removed")
    response = decide(api_as(other), b, key="shared", decision="removed")
    assert response.status_code == 200 and response.json()["case"]["reference"] == b.reference


@pytest.mark.parametrize("key", [None, "", "x" * 256, "with space"])
def test_a_write_needs_a_valid_idempotency_key(key, case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    response = liaison_api.post(
        reverse("api:case-decision", args=[case.reference]),
        {"decision": "removed"},
        format="json",
        **headers,
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["errors"]
    case.refresh_from_db()
    assert case.state == S.UNDER_PLATFORM_REVIEW and not IdempotencyKey.objects.exists()


def test_recording_the_same_decision_again_is_a_no_op(case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    decide(liaison_api, case, decision="removed")
    events = StatusEvent.objects.count()
    again = decide(liaison_api, case, decision="removed")
    assert again.status_code == 200 and again.json()["changed"] is False
    assert StatusEvent.objects.count() == events


def test_a_case_the_liaison_may_not_see_is_not_found(case_in, liaison_api):
    case = case_in(S.READY_TO_FORWARD)
    response = decide(liaison_api, case, decision="under_platform_review", note="x")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    case.refresh_from_db()
    assert case.state == S.READY_TO_FORWARD


def admin_refusal(case, to_state, actor, **kwargs):
    """What the state machine (and so the admin) answers, without writing anything."""
    try:
        with transaction.atomic(), translation.override("en"):
            transitions.case_check_transition(case=case, to_state=to_state, actor=actor, **kwargs)
    except ValidationError as error:
        return 422, error.code, " ".join(error.messages)
    except PermissionDenied as error:
        return 403, "permission_denied", str(error)
    return None


# The admin tests' refusals (takedowns tests): illegal moves, role refusals, missing reason/note.
REFUSALS = [
    (S.FORWARDED, S.REMOVED, {}),
    (S.REMOVED, S.UNDER_PLATFORM_REVIEW, {}),
    (S.REMOVED, S.NOT_REMOVED, {"reason_code": "no_infringement", "note": "x"}),
    (S.INFO_REQUESTED, S.UNDER_PLATFORM_REVIEW, {"note": "answered"}),  # DIP answers
    (S.UNDER_PLATFORM_REVIEW, S.NOT_REMOVED, {}),
    (S.UNDER_PLATFORM_REVIEW, S.NOT_REMOVED, {"reason_code": "no_infringement"}),
    (S.UNDER_PLATFORM_REVIEW, S.NOT_REMOVED, {"reason_code": "nope", "note": "x"}),
    (S.UNDER_PLATFORM_REVIEW, S.INFO_REQUESTED, {"reason_code": "link_not_found"}),
    (S.APPEALED, S.REINSTATED, {}),
]


@pytest.mark.parametrize("state, decision, extra", REFUSALS)
def test_every_refusal_matches_the_admins(state, decision, extra, case_in, liaison, liaison_api):
    case = case_in(state)
    expected = admin_refusal(case, decision, liaison, **extra)
    assert expected is not None
    events = StatusEvent.objects.count()
    response = decide(liaison_api, case, decision=decision, **extra)
    body = response.json()
    assert (response.status_code, body["code"], body["detail"]) == expected
    assert StatusEvent.objects.count() == events
    case.refresh_from_db()
    assert case.state == state


@pytest.mark.parametrize("decision", [S.DRAFT, S.FORWARDED, S.CLOSED, S.WITHDRAWN])
def test_a_decision_only_dip_makes_is_not_in_the_platforms_choices(decision, case_in, liaison_api):
    """Issue 26, item 7: `decision` offers only the states the platform may set."""
    case = case_in(S.REMOVED)
    response = decide(liaison_api, case, decision=decision, note="x")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["decision"]
    schema = liaison_api.get(reverse("api:schema"), {"format": "json"}).json()
    offered = schema["components"]["schemas"]["DecisionEnum"]["enum"]
    assert decision not in offered and offered == transitions.platform_target_states()


def test_future_and_backdated_times_are_refused_as_in_the_admin(case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert decide(liaison_api, case, decision="removed", decided_at=future).json()["code"] == (
        "future_time"
    )
    past = (timezone.now() - timedelta(days=400)).isoformat()
    assert decide(liaison_api, case, decision="removed", decided_at=past).json()["code"] == (
        "time_before_previous_step"
    )


def test_a_refused_move_writes_no_ticket_id(case_in, liaison_api):
    case = case_in(S.FORWARDED)
    decide(liaison_api, case, decision="removed", ippc_ticket_id="T-1")
    case.refresh_from_db()
    assert case.ippc_ticket_id == ""


@pytest.mark.parametrize(
    "body",
    [{}, {"decision": "bogus"}, {"decision": "removed", "note": "x\x00y"}, {"decision": 5}],
)
def test_bad_bodies_are_400(body, case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    response = decide(liaison_api, case, **body)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_item_decisions_roll_up_through_the_state_machine(case_in, liaison_api, liaison):
    case = case_in(S.UNDER_PLATFORM_REVIEW, items=2)
    first, second = case.items.order_by("id")
    response = decide_item(liaison_api, first, outcome="removed")
    assert response.status_code == 200, response.json()
    assert response.json()["case_state"] == "under_platform_review"
    refused = decide_item(liaison_api, second, outcome="not_removed")
    assert refused.status_code == 422 and refused.json()["code"] == "reason_required"
    done = decide_item(
        liaison_api, second, outcome="not_removed", reason_code="no_infringement", note="ok"
    )
    assert done.json()["case_state"] == "partially_removed"
    case.refresh_from_db()
    assert case.state == S.PARTIALLY_REMOVED
    assert set(case.events.values_list("actor", flat=True).filter(at__isnull=False)) >= {liaison.pk}
    again = decide_item(
        liaison_api, second, outcome="not_removed", reason_code="no_infringement", note="ok"
    )
    assert again.status_code == 200 and again.json()["changed"] is False


def test_item_outcome_in_the_wrong_state_is_refused_like_the_admin(case_in, liaison_api):
    case = case_in(S.FORWARDED)
    item = case.items.get()
    response = decide_item(liaison_api, item, outcome=ItemOutcome.REMOVED)
    assert response.status_code == 422 and response.json()["code"] == "illegal_item_outcome"


def test_items_of_hidden_cases_and_bad_ids_are_404(case_in, liaison_api):
    item = case_in(S.DIP_REVIEW).items.get()
    assert decide_item(liaison_api, item, outcome="removed").status_code == 404
    for bad in ("0", "abc", "99999999999999999999999"):
        response = liaison_api.post(
            f"/api/v1/items/{bad}/decision/",
            {"outcome": "removed"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 404


@pytest.mark.parametrize("path_id", ["%C2%B2", "\u0661\u0662", "%D9%A1%D9%A2", "\uff11\uff12"])
def test_only_ascii_digits_name_an_item(path_id, case_in, liaison_api):
    """Issue 24, item 5: "²" is a 404 in JSON, and Arabic-Indic "١٢" (or full-width) digits are
    not item 12: nothing is recorded on it."""
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    item = case.items.get()
    response = liaison_api.post(
        f"/api/v1/items/{path_id}/decision/",
        {"outcome": "removed"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}
    assert int(str(item.pk)) and str(item.pk).isascii()
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING


def test_writes_are_attributed_to_the_tokens_user(case_in, liaison_api, liaison, monkeypatch):
    """Any audit row written during an API call (simple-history reads the request's user) names
    the token's user, and the status event's actor is that user."""
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    seen = []
    write = decisions.moves_write

    def remember(*args, **kwargs):
        seen.append(HistoricalRecords.context.request.user)
        return write(*args, **kwargs)

    monkeypatch.setattr(decisions, "moves_write", remember)
    decide(liaison_api, case, decision="removed")
    assert seen == [liaison]
    assert StatusEvent.objects.filter(case=case).latest("at").actor == liaison
    history = case.history.latest()
    assert (history.history_user, history.state, history.history_type) == (liaison, "removed", "~")
    assert history.history_change_reason.startswith("Platform API, token mou_")


def test_item_decisions_are_in_the_audit_history(case_in, liaison_api, liaison):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    item = case.items.get()
    decide_item(liaison_api, item, outcome="removed")
    assert item.history.latest().history_user == liaison
    assert item.history.latest().outcome == "removed"
    assert case.history.latest().state == "removed"  # rolled up
    assert case.history.latest().history_user == liaison


def test_refusals_speak_the_clients_language(case_in, liaison, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    with translation.override("th"):
        expected = admin_refusal(case, S.NOT_REMOVED, liaison)
        try:
            transitions.case_check_transition(case=case, to_state=S.NOT_REMOVED, actor=liaison)
        except ValidationError as error:
            thai = " ".join(error.messages)
    english = decide(liaison_api, case, decision="not_removed").json()
    assert english["detail"] == expected[2] and english["code"] == "reason_required"
    response = liaison_api.post(
        reverse("api:case-decision", args=[case.reference]),
        {"decision": "not_removed"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="th-1",
        HTTP_ACCEPT_LANGUAGE="th",
    )
    assert response.json()["code"] == "reason_required"
    assert response.json()["detail"] == thai


def test_a_lost_race_is_a_409_and_writes_nothing(case_in, liaison_api, monkeypatch):
    from takedowns.models import TakedownCase

    case = case_in(S.UNDER_PLATFORM_REVIEW)
    real_record = decisions.cases_record_decisions

    def someone_else_first(**kwargs):
        for decision in kwargs["decisions"]:
            TakedownCase.objects.filter(pk=decision.case.pk).update(version=F("version") + 1)
        return real_record(**kwargs)

    monkeypatch.setattr(decisions, "cases_record_decisions", someone_else_first)
    events = StatusEvent.objects.count()
    response = decide(liaison_api, case, decision="removed", ippc_ticket_id="T-1")
    assert response.status_code == 409 and response.json()["code"] == "stale"
    assert StatusEvent.objects.count() == events
    case.refresh_from_db()
    assert case.state == S.UNDER_PLATFORM_REVIEW and case.ippc_ticket_id == ""


def test_old_idempotency_keys_are_purged(case_in, liaison_api):
    from datetime import timedelta

    from portal.api.tasks import purge_idempotency_keys

    decide(liaison_api, case_in(S.UNDER_PLATFORM_REVIEW), key="old", decision="removed")
    decide(liaison_api, case_in(S.UNDER_PLATFORM_REVIEW), key="new", decision="removed")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_a_case_decision_that_sets_pending_items_logs_an_item_event_for_each(
    case_in, liaison_api, liaison
):
    """Issue 26, item 9: every change the platform causes, implied too, is an event."""
    case = case_in(S.UNDER_PLATFORM_REVIEW, items=3)
    first, *pending = case.items.order_by("pk")
    assert decide_item(liaison_api, first, outcome="removed").status_code == 200
    after = StatusEvent.objects.order_by("-id").first().pk
    assert decide(liaison_api, case, decision="removed").status_code == 200

    feed = liaison_api.get(reverse("api:events"), {"after": after}).json()["results"]
    item_events = [e for e in feed if e["item"] is not None]
    assert {(e["item"], e["item_outcome"]) for e in item_events} == {
        (item.pk, "removed") for item in pending
    }
    assert [e["item"] for e in feed] == [*(item.pk for item in pending), None]
    for item in pending:
        latest = item.history.order_by("-history_id").first()
        assert (latest.outcome, latest.history_user) == (ItemOutcome.REMOVED, liaison)
