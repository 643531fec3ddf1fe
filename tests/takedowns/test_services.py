import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from takedowns import case_items, infringers, transitions
from takedowns.choices import CaseState, ItemOutcome, Priority, ReporterBasis
from takedowns.models import CaseReferenceCounter, InfringingItem, StatusEvent, TakedownCase
from takedowns.normalize import normalize_url

from .conftest import bkk, make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db


def test_reference_format_and_sequence(right):
    first = make_case(right)
    second = make_case(right)
    year = timezone.localdate().year
    assert first.reference == f"TD-{year}-000001"
    assert second.reference == f"TD-{year}-000002"
    assert CaseReferenceCounter.next_reference(year=2031) == "TD-2031-000001"


@pytest.mark.requires_postgres("needs concurrent connections")
def test_references_do_not_collide_under_concurrency():
    """Six connections take numbers at once (outside the test transaction, then cleaned up)."""
    results, errors = [], []
    barrier = threading.Barrier(6)

    def take():
        try:
            barrier.wait()
            for _ in range(10):
                results.append(CaseReferenceCounter.next_reference(year=2040))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def cleanup():
        CaseReferenceCounter.objects.filter(year=2040).delete()
        connection.close()

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    closer = threading.Thread(target=cleanup)
    closer.start()
    closer.join()
    assert not errors
    assert len(results) == 60 and len(set(results)) == 60
    assert max(results) == "TD-2040-000060"


def test_walk_draft_to_removed_appealed_reinstated(right, role_users):
    case = make_case(right, items=2)
    walk(case, S.REINSTATED, role_users)
    case.refresh_from_db()
    assert case.state == S.REINSTATED
    assert case.appeal_count == 1
    assert set(case.items.values_list("outcome", flat=True)) == {ItemOutcome.REINSTATED}
    states = list(case.events.filter(item=None).values_list("to_state", flat=True))
    assert states == [
        S.DRAFT,
        S.DIP_REVIEW,
        S.READY_TO_FORWARD,
        S.FORWARDED,
        S.UNDER_PLATFORM_REVIEW,
        S.REMOVED,
        S.APPEALED,
        S.REINSTATED,
    ]
    event = case.events.last()
    assert event.actor == role_users["liaison"] and event.reason_code.code == "no_infringement"


@pytest.mark.parametrize(
    "state, to_state, role",
    [
        (S.DRAFT, S.DIP_REVIEW, "liaison"),
        (S.DRAFT, S.DIP_REVIEW, "manager"),
        (S.READY_TO_FORWARD, S.FORWARDED, "officer"),
        (S.READY_TO_FORWARD, S.FORWARDED, "liaison"),
        (S.FORWARDED, S.UNDER_PLATFORM_REVIEW, "officer"),
        (S.FORWARDED, S.UNDER_PLATFORM_REVIEW, "supervisor"),
        (S.UNDER_PLATFORM_REVIEW, S.REMOVED, "officer"),
        (S.UNDER_PLATFORM_REVIEW, S.WITHDRAWN, "liaison"),
        (S.REMOVED, S.CLOSED, "liaison"),
    ],
)
def test_role_refusals(right, role_users, state, to_state, role):
    case = walk(make_case(right), state, role_users)
    with pytest.raises(PermissionDenied):
        transitions.case_transition(case=case, to_state=to_state, actor=role_users[role], note="x")
    case.refresh_from_db()
    assert case.state == state


@pytest.mark.parametrize(
    "state, to_state",
    [
        (S.DRAFT, S.FORWARDED),
        (S.DRAFT, S.REMOVED),
        (S.FORWARDED, S.REMOVED),
        (S.REMOVED, S.WITHDRAWN),
        (S.CLOSED, S.DRAFT),
        (S.NOT_REMOVED, S.APPEALED),
    ],
)
def test_illegal_moves_are_refused_for_everyone(right, role_users, superuser, state, to_state):
    case = walk(make_case(right), state, role_users)
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(case=case, to_state=to_state, actor=superuser, note="x")
    assert error.value.code == "illegal_transition"
    assert TakedownCase.objects.get(pk=case.pk).state == state


def test_info_request_and_refusal_need_a_reason_code(right, role_users):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    liaison = role_users["liaison"]
    for to_state in (S.INFO_REQUESTED, S.NOT_REMOVED):
        with pytest.raises(ValidationError) as error:
            transitions.case_transition(case=case, to_state=to_state, actor=liaison, note="why")
        assert error.value.code == "reason_required"
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(
            case=case, to_state=S.NOT_REMOVED, actor=liaison, reason_code="other"
        )
    assert error.value.code == "note_required"
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(
            case=case, to_state=S.NOT_REMOVED, actor=liaison, reason_code="nope", note="x"
        )
    assert error.value.code == "unknown_reason"
    assert TakedownCase.objects.get(pk=case.pk).state == S.UNDER_PLATFORM_REVIEW


def test_stale_transition_loses(right, role_users):
    case = walk(make_case(right), S.DIP_REVIEW, role_users)
    stale = TakedownCase.objects.get(pk=case.pk)
    transitions.case_transition(case=case, to_state=S.READY_TO_FORWARD, actor=role_users["officer"])
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(
            case=stale, to_state=S.DRAFT, actor=role_users["officer"], note="x"
        )
    assert error.value.code in ("stale", "illegal_transition")
    stale.state = S.DIP_REVIEW  # same state, old version: the conditional UPDATE refuses
    stale.version = 0
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(
            case=stale, to_state=S.READY_TO_FORWARD, actor=role_users["officer"]
        )
    assert error.value.code == "stale"
    assert StatusEvent.objects.filter(case=case, to_state=S.READY_TO_FORWARD).count() == 1


def test_expired_authorization_blocks_forwarding(right, role_users, holder):
    from takedowns.models import RightsHolder

    other = RightsHolder.objects.create(name="กรมทรัพย์สินทางปัญญา", kind="government")
    case = make_case(
        right,
        rights_holder=other,
        reporter_basis=ReporterBasis.AUTHORIZATION_LETTER,
        authorization_document="takedowns/authorizations/letter.pdf",
        authorization_valid_from=timezone.localdate() - timedelta(days=400),
        authorization_valid_until=timezone.localdate() - timedelta(days=1),
    )
    walk(case, S.READY_TO_FORWARD, role_users)
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(case=case, to_state=S.FORWARDED, actor=role_users["supervisor"])
    assert "authorization_expired" in [e.code for e in error.value.error_list]
    TakedownCase.objects.filter(pk=case.pk).update(
        authorization_valid_until=timezone.localdate() + timedelta(days=30)
    )
    case.refresh_from_db()
    transitions.case_transition(case=case, to_state=S.FORWARDED, actor=role_users["supervisor"])
    assert case.state == S.FORWARDED


def test_case_without_items_cannot_be_forwarded(right, role_users):
    case = walk(make_case(right, items=0), S.READY_TO_FORWARD, role_users)
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(case=case, to_state=S.FORWARDED, actor=role_users["supervisor"])
    assert "no_items" in [e.code for e in error.value.error_list]


def test_time_to_takedown_excludes_info_request_pause_and_sla_crosses_a_weekend(right, role_users):
    # Forwarded Friday 20 Nov 2026 15:00 Bangkok: 3 working days -> Wednesday 25 Nov 15:00.
    start = bkk(2026, 11, 20, 9, 0)
    case = walk(make_case(right, created_at=start), S.READY_TO_FORWARD, role_users, start=start)
    officer, supervisor, liaison = (role_users[r] for r in ("officer", "supervisor", "liaison"))
    forward_at = bkk(2026, 11, 20, 15, 0)
    transitions.case_transition(case=case, to_state=S.FORWARDED, actor=supervisor, at=forward_at)
    assert case.sla_due_at == bkk(2026, 11, 25, 15, 0)
    transitions.case_transition(
        case=case, to_state=S.UNDER_PLATFORM_REVIEW, actor=liaison, at=bkk(2026, 11, 21, 10, 0)
    )
    transitions.case_transition(
        case=case,
        to_state=S.INFO_REQUESTED,
        actor=liaison,
        reason_code="ownership_not_proven",
        note="send the certificate",
        at=bkk(2026, 11, 23, 9, 0),
    )
    # Paused: not overdue even after the original deadline.
    assert not case.is_overdue(now=bkk(2026, 11, 25, 16, 0))
    transitions.case_transition(
        case=case,
        to_state=S.UNDER_PLATFORM_REVIEW,
        actor=officer,
        note="sent",
        at=bkk(2026, 11, 24, 9, 0),
    )
    assert case.paused_seconds == 24 * 3600
    assert case.sla_due_at == bkk(2026, 11, 26, 15, 0)
    assert not case.is_overdue(now=bkk(2026, 11, 26, 14, 0))
    assert case.is_overdue(now=bkk(2026, 11, 26, 15, 1))
    transitions.case_transition(
        case=case, to_state=S.REMOVED, actor=liaison, at=bkk(2026, 11, 25, 15, 0)
    )
    case.refresh_from_db()
    # 5 days elapsed, 1 day paused.
    assert case.time_to_takedown == timedelta(days=4)
    assert case.takedown_seconds == 4 * 86400
    assert case.first_appeal_deadline == bkk(2026, 12, 25, 15, 0)


def test_high_priority_sla_is_24_hours(right, role_users):
    case = walk(make_case(right, priority=Priority.URGENT), S.READY_TO_FORWARD, role_users)
    at = bkk(2026, 11, 20, 15, 0)
    TakedownCase.objects.filter(pk=case.pk).update(created_at=at - timedelta(hours=5))
    StatusEvent.objects.filter(case=case).update(at=at - timedelta(hours=1))
    transitions.case_transition(
        case=case, to_state=S.FORWARDED, actor=role_users["supervisor"], at=at
    )
    assert case.sla_due_at == bkk(2026, 11, 21, 15, 0)


def test_item_outcomes_roll_up_to_partially_removed(right, role_users):
    case = walk(make_case(right, items=3), S.UNDER_PLATFORM_REVIEW, role_users)
    liaison = role_users["liaison"]
    first, second, third = case.items.all()
    case_items.item_record_outcome(item=first, outcome=ItemOutcome.REMOVED, actor=liaison)
    case_items.item_record_outcome(
        item=second, outcome=ItemOutcome.NOT_REMOVED, actor=liaison, reason_code="no_infringement"
    )
    case.refresh_from_db()
    assert case.state == S.UNDER_PLATFORM_REVIEW
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(case=case, to_state=S.REMOVED, actor=liaison)
    assert error.value.code == "decision_mismatch"
    case_items.item_record_outcome(
        item=third, outcome=ItemOutcome.ALREADY_UNAVAILABLE, actor=liaison
    )
    case.refresh_from_db()
    assert case.state == S.PARTIALLY_REMOVED
    assert case.removed_at is not None


def test_item_outcome_needs_platform_role_and_reason(right, role_users):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    item = case.items.get()
    with pytest.raises(PermissionDenied):
        case_items.item_record_outcome(
            item=item, outcome=ItemOutcome.REMOVED, actor=role_users["officer"]
        )
    with pytest.raises(ValidationError) as error:
        case_items.item_record_outcome(
            item=item, outcome=ItemOutcome.NOT_REMOVED, actor=role_users["liaison"]
        )
    assert error.value.code == "reason_required"
    assert InfringingItem.objects.get(pk=item.pk).outcome == ItemOutcome.PENDING


def test_appeal_limits(right, role_users):
    liaison = role_users["liaison"]
    case = walk(make_case(right), S.REMOVAL_UPHELD, role_users)
    assert case.second_appeal_deadline is not None
    transitions.case_transition(case=case, to_state=S.APPEALED, actor=liaison)
    transitions.case_transition(case=case, to_state=S.REMOVAL_UPHELD, actor=liaison)
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(case=case, to_state=S.APPEALED, actor=liaison)
    assert error.value.code == "appeal_limit_reached"

    creator_case = walk(make_case(right, respondent_is_creator=True), S.REMOVAL_UPHELD, role_users)
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(case=creator_case, to_state=S.APPEALED, actor=liaison)
    assert error.value.code == "appeal_limit_reached"


def test_late_appeal_is_refused(right, role_users):
    start = timezone.now() - timedelta(days=60)
    case = walk(make_case(right, created_at=start), S.REMOVED, role_users, start=start)
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(case=case, to_state=S.APPEALED, actor=role_users["liaison"])
    assert error.value.code == "appeal_deadline_passed"


def test_future_and_backwards_times_are_refused(right, role_users):
    case = walk(make_case(right), S.DIP_REVIEW, role_users)
    officer = role_users["officer"]
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(
            case=case,
            to_state=S.READY_TO_FORWARD,
            actor=officer,
            at=timezone.now() + timedelta(days=1),
        )
    assert error.value.code == "future_time"
    with pytest.raises(ValidationError) as error:
        transitions.case_transition(
            case=case,
            to_state=S.READY_TO_FORWARD,
            actor=officer,
            at=timezone.now() - timedelta(days=400),
        )
    assert error.value.code == "time_before_previous_step"


def test_url_normalisation():
    assert (
        normalize_url(
            "HTTP://WWW.TikTok.com/@Shop/video/123/?utm_source=x&is_from_webapp=1&b=2&a=1#frag"
        )
        == "https://tiktok.com/@shop/video/123?a=1&b=2"
    )
    assert normalize_url("shop.tiktok.com/view/product/1729/") == normalize_url(
        "https://shop.tiktok.com:443/view/product/1729?share_link_id=abc"
    )
    with pytest.raises(ValueError):
        normalize_url("ftp://x.y/z")


def test_duplicate_url_in_open_case_is_refused_with_a_link(right, role_users):
    first = make_case(right)
    url = first.items.get().url.replace("https://", "HTTP://").split("?")[0] + "/?fbclid=1"
    second = make_case(right, items=0)
    with pytest.raises(ValidationError) as error:
        case_items.item_add(case=second, actor=role_users["officer"], url=url, kind="listing")
    assert first.reference in str(error.value)
    assert second.items.count() == 0
    # Once the first case is closed, the URL may be reported again.
    walk(first, S.CLOSED, role_users)
    case_items.item_add(case=second, actor=role_users["officer"], url=url, kind="listing")
    assert second.items.count() == 1


def test_repeat_infringer_counts(right):
    for _ in range(3):
        make_case(right)
    from takedowns.models import PlatformSeller

    seller = PlatformSeller.objects.get(handle="fakericeshop")
    assert seller.case_count == 3
    assert list(
        infringers.repeat_infringer_handles(min_cases=3).values_list("handle", flat=True)
    ) == ["fakericeshop"]
    TakedownCase.objects.first().delete()
    seller.refresh_from_db()
    assert seller.case_count == 2
