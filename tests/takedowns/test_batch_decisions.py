"""``cases_record_decisions``: many platform decisions at once, with the rules of one move."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from takedowns import transitions
from takedowns.choices import CaseState as S
from takedowns.choices import ItemOutcome
from takedowns.decisions import CaseDecision, DecisionsRefused, cases_record_decisions
from takedowns.models import InfringingItem, StatusEvent, TakedownCase
from tests.takedowns.conftest import make_case, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(right, role_users):
    def build(n=1, items=1):
        return [
            walk(make_case(right, items=items), S.UNDER_PLATFORM_REVIEW, role_users)
            for _ in range(n)
        ]

    return build


def _fresh(case):
    return TakedownCase.objects.get(pk=case.pk)


def test_decisions_move_cases_items_log_and_history(under_review, liaison):
    removed, gone = under_review(2, items=2)
    events = StatusEvent.objects.count()
    changed = cases_record_decisions(
        decisions=[
            CaseDecision(case=removed, to_state=S.REMOVED, ippc_ticket_id="IPPC-7"),
            CaseDecision(
                case=gone, to_state=S.ALREADY_UNAVAILABLE, platform_note="listing was gone"
            ),
        ],
        actor=liaison,
        change_reason="sheet 1",
    )
    assert changed == [True, True]
    removed_db, gone_db = _fresh(removed), _fresh(gone)
    assert (removed_db.state, removed_db.ippc_ticket_id) == (S.REMOVED, "IPPC-7")
    assert removed_db.removed_at and removed_db.decided_at and removed_db.first_appeal_deadline
    assert removed_db.takedown_seconds is not None
    assert (gone_db.state, gone_db.platform_note) == (S.ALREADY_UNAVAILABLE, "listing was gone")
    assert gone_db.removed_at is None and gone_db.decided_at
    assert set(removed.items.values_list("outcome", flat=True)) == {ItemOutcome.REMOVED}
    assert set(gone.items.values_list("outcome", flat=True)) == {ItemOutcome.ALREADY_UNAVAILABLE}
    # the two decisions, and an event for each of the four items they set
    assert StatusEvent.objects.count() == events + 2 + 4
    event = removed.events.order_by("-id").first()
    assert (event.from_state, event.to_state, event.actor) == (
        S.UNDER_PLATFORM_REVIEW,
        S.REMOVED,
        liaison,
    )
    audit = removed.history.latest()
    assert (audit.history_user, audit.state, audit.ippc_ticket_id) == (liaison, S.REMOVED, "IPPC-7")
    assert audit.history_change_reason == "sheet 1"
    # The caller's copies follow.
    assert (removed.state, removed.version) == (removed_db.state, removed_db.version)


def test_same_decision_again_changes_nothing(under_review, liaison):
    (case,) = under_review()
    cases_record_decisions(
        decisions=[CaseDecision(case=case, to_state=S.REMOVED, ippc_ticket_id="T-1")],
        actor=liaison,
    )
    events, history = StatusEvent.objects.count(), case.history.count()
    again = cases_record_decisions(
        decisions=[CaseDecision(case=_fresh(case), to_state=S.REMOVED, ippc_ticket_id="T-1")],
        actor=liaison,
    )
    assert again == [False]
    assert (StatusEvent.objects.count(), case.history.count()) == (events, history)
    ticket_only = cases_record_decisions(
        decisions=[CaseDecision(case=_fresh(case), to_state=S.REMOVED, ippc_ticket_id="T-2")],
        actor=liaison,
    )
    assert ticket_only == [True] and StatusEvent.objects.count() == events
    assert _fresh(case).ippc_ticket_id == "T-2" and case.history.count() == history + 1


def test_one_refused_decision_writes_nothing_and_names_each_refusal(
    under_review, right, role_users, liaison
):
    good, no_reason = under_review(2)
    forwarded = walk(make_case(right), S.FORWARDED, role_users)
    before = {c.pk: (c.state, c.version) for c in (good, no_reason, forwarded)}
    events = StatusEvent.objects.count()
    with pytest.raises(DecisionsRefused) as refused:
        cases_record_decisions(
            decisions=[
                CaseDecision(case=good, to_state=S.REMOVED, ippc_ticket_id="X"),
                CaseDecision(case=forwarded, to_state=S.REMOVED),
                CaseDecision(case=no_reason, to_state=S.NOT_REMOVED, note="no"),
            ],
            actor=liaison,
        )
    errors = refused.value.errors
    assert set(errors) == {1, 2}
    assert errors[1].code == "illegal_transition"
    assert errors[2].code == "reason_required"
    assert StatusEvent.objects.count() == events
    for case in (good, no_reason, forwarded):
        fresh = _fresh(case)
        assert (fresh.state, fresh.version) == before[case.pk]
    assert _fresh(good).ippc_ticket_id == ""


def test_the_rules_are_those_of_case_transition(under_review, liaison, officer):
    (case,) = under_review()
    for kwargs, code in [
        ({"to_state": S.NOT_REMOVED, "reason_code": "nope", "note": "x"}, "unknown_reason"),
        ({"to_state": S.NOT_REMOVED, "reason_code": "no_infringement"}, "note_required"),
        ({"to_state": S.REMOVED, "at": case.forwarded_at.replace(year=2000)}, None),
    ]:
        with pytest.raises(DecisionsRefused) as refused:
            cases_record_decisions(decisions=[CaseDecision(case=case, **kwargs)], actor=liaison)
        with pytest.raises(ValidationError) as single:
            transitions.case_check_transition(case=case, actor=liaison, **kwargs)
        error = refused.value.errors[0]
        assert error.code == single.value.code and error.messages == single.value.messages
        assert code is None or error.code == code
    with pytest.raises(DecisionsRefused) as refused:
        cases_record_decisions(
            decisions=[CaseDecision(case=case, to_state=S.REMOVED)], actor=officer
        )
    assert isinstance(refused.value.errors[0], PermissionDenied)


def test_a_case_changed_since_it_was_read_is_refused_as_stale(under_review, liaison):
    (case,) = under_review()
    stale_copy = _fresh(case)
    transitions.case_transition(
        case=case, to_state=S.INFO_REQUESTED, actor=liaison, reason_code="link_not_found", note="?"
    )
    with pytest.raises(DecisionsRefused) as refused:
        cases_record_decisions(
            decisions=[CaseDecision(case=stale_copy, to_state=S.REMOVED)], actor=liaison
        )
    assert refused.value.errors[0].code == "stale"
    assert _fresh(case).state == S.INFO_REQUESTED


def test_the_bulk_update_is_conditional_on_state_and_version(under_review, liaison, monkeypatch):
    """If a row changed between the read and the write (the lock makes it impossible, the
    UPDATE's guard catches it anyway), the whole batch is refused and nothing is kept."""
    first, second = under_review(2)
    events = StatusEvent.objects.count()
    real_select = TakedownCase.objects.select_for_update

    def sneaky(*args, **kwargs):  # another writer bumps the version right after the read
        queryset = list(real_select(*args, **kwargs))
        TakedownCase.objects.filter(pk=second.pk).update(version=99)
        return queryset

    monkeypatch.setattr(
        TakedownCase.objects, "select_for_update", lambda *a, **k: _Rows(sneaky(*a, **k))
    )
    with pytest.raises(ValidationError) as stale:
        cases_record_decisions(
            decisions=[
                CaseDecision(case=first, to_state=S.REMOVED),
                CaseDecision(case=second, to_state=S.REMOVED),
            ],
            actor=liaison,
        )
    assert stale.value.code == "stale"
    assert _fresh(first).state == S.UNDER_PLATFORM_REVIEW
    assert StatusEvent.objects.count() == events


class _Rows(list):
    """Stands for the locked queryset in the race test (select_related/filter/order_by)."""

    def select_related(self, *args):
        return self

    def filter(self, in_array):  # InArray(F("pk"), ids)
        return _Rows(row for row in self if row.pk in in_array.rhs)

    def order_by(self, *args):
        return self


@pytest.mark.requires_postgres(
    "the batch writes are PostgreSQL's (UPDATE ... FROM unnest); elsewhere one UPDATE per row"
)
def test_queries_do_not_grow_with_the_number_of_decisions(under_review, liaison):
    def count(cases):
        decisions = [
            CaseDecision(case=c, to_state=S.REMOVED, ippc_ticket_id=f"T-{c.pk}") for c in cases
        ]
        with CaptureQueriesContext(connection) as captured:
            cases_record_decisions(decisions=decisions, actor=liaison, change_reason="q")
        return len(captured)

    few = count(under_review(3))
    many = count(under_review(30, items=2))
    assert many == few, (few, many)


def _item_updates_so_far() -> tuple[int, int]:
    """(updates, heap-only updates) of infringing items in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [InfringingItem._meta.db_table],
        )
        return cursor.fetchone()


def test_a_decision_updates_its_items_in_place(under_review, liaison):
    """No index holds an item's outcome, and item pages keep room (migration 0014): the items
    a decision sets are updated in place, without a new entry in each of the item's indexes,
    which is most of what a 10,000-row decision sheet cost."""
    cases = under_review(3, items=2)
    before = _item_updates_so_far()
    cases_record_decisions(
        decisions=[CaseDecision(case=case, to_state=S.REMOVED) for case in cases], actor=liaison
    )
    updated, in_place = (
        now - then for now, then in zip(_item_updates_so_far(), before, strict=True)
    )
    assert (updated, in_place) == (6, 6)


def test_the_caller_s_copies_follow_the_cases_they_stand_for(under_review, liaison):
    """A full copy gets every value the move set; a copy read with ``only()`` (as the decision
    sheet reads its cases) keeps its deferred fields deferred, and reading one gives the case
    as it is now."""
    full, partial = under_review(2)
    partial = TakedownCase.objects.only("id", "reference", "state", "version").get(pk=partial.pk)
    cases_record_decisions(
        decisions=[
            CaseDecision(case=full, to_state=S.REMOVED, ippc_ticket_id="IPPC-1"),
            CaseDecision(case=partial, to_state=S.REMOVED, ippc_ticket_id="IPPC-2"),
        ],
        actor=liaison,
    )
    for copy in (full, partial):
        stored = _fresh(copy)
        assert (copy.state, copy.version) == (S.REMOVED, stored.version)
    assert (full.removed_at, full.ippc_ticket_id) == (_fresh(full).removed_at, "IPPC-1")
    assert "removed_at" in partial.get_deferred_fields()
    assert (partial.removed_at, partial.ippc_ticket_id) == (_fresh(partial).removed_at, "IPPC-2")
