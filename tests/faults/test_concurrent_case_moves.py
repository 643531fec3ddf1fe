"""Two people move one takedown case from the same state at the same moment, each on their own
database connection: exactly one move wins, the other is refused as stale, one event is logged."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from takedowns import transitions
from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent, TakedownCase
from tests.takedowns.conftest import make_case

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.requires_postgres("row locks across connections"),
]


def race(case_pk, moves):
    """Run ``moves`` [(to_state, actor, note)] in threads that all start from one loaded copy."""
    barrier = threading.Barrier(len(moves))
    outcomes = [None] * len(moves)

    def move(index, to_state, actor, note):
        try:
            case = TakedownCase.objects.get(pk=case_pk)  # this thread's own connection
            barrier.wait(timeout=10)
            transitions.case_transition(case=case, to_state=to_state, actor=actor, note=note)
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = getattr(error, "code", None) or "invalid"
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(i, *m)) for i, m in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_two_moves_from_the_same_state_cannot_both_succeed(
    right,
    officer,
    supervisor,
    record_fault,
    attempt,
    _drop_swapped_out_tables,
):
    case = make_case(right)
    events = StatusEvent.objects.filter(case=case).count()
    outcomes = race(
        case.pk,
        [
            (S.DIP_REVIEW, officer, "ready for review"),
            (S.WITHDRAWN, supervisor, "the seller took the listing down"),
        ],
    )
    record_fault()
    assert sorted(outcomes, key=str) == ["ok", "stale"] or outcomes.count("ok") == 1, outcomes
    case.refresh_from_db()
    assert case.state in (S.DIP_REVIEW, S.WITHDRAWN)
    assert case.version == 1 + TakedownCase.objects.model._meta.get_field("version").default
    assert StatusEvent.objects.filter(case=case).count() == events + 1
    last = StatusEvent.objects.filter(case=case).order_by("pk").last()
    assert (last.from_state, last.to_state) == (S.DRAFT, case.state)


def test_the_same_move_twice_at_once_is_logged_once(
    right, officer, supervisor, record_fault, _drop_swapped_out_tables
):
    case = make_case(right)
    outcomes = race(
        case.pk,
        [(S.DIP_REVIEW, officer, ""), (S.DIP_REVIEW, supervisor, "")],
    )
    record_fault()
    assert outcomes.count("ok") == 1, outcomes
    assert StatusEvent.objects.filter(case=case, to_state=S.DIP_REVIEW).count() == 1
