"""Platform decisions: what one may say (``decision_value_check``, the one check of the value
for the decision sheet and the API alike), and many at once (the liaison's decision sheet, the
API's batch): the rules of ``takedowns.transitions`` applied to every case in a few queries, all
or nothing."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.bulk import InArray
from takedowns.choices import CaseState, ItemOutcome
from takedowns.models import InfringingItem, ReasonCode, StatusEvent, TakedownCase
from takedowns.transitions import (
    ITEM_WRITE_FIELDS,
    PLATFORM_FIELDS,
    STATED_AT,
    CaseFacts,
    Move,
    MoveWrites,
    case_check_transition,
    event_row,
    in_chunks,
    moves_apply,
    moves_write,
    platform_changes,
    platform_target_states,
    resolve_reason,
    rolled_up_state,
    stale_error,
)

#: The one message of a decision left out, on every door (the sheet's cell, the API's field).
DECISION_REQUIRED = gettext_lazy("Give the decision.")


@functools.cache  # the transition table does not change while the process runs
def platform_decisions(*, on_item: bool) -> tuple[str, ...]:
    """What a platform decision may say: for a case, the states only the platform moves a case
    to (``platform_target_states``: the transition table's); for an item, an outcome other
    than pending."""
    if on_item:
        return tuple(outcome for outcome in ItemOutcome.values if outcome != ItemOutcome.PENDING)
    return tuple(platform_target_states())


def decision_value_check(value, *, on_item: bool) -> str:
    """The decision ``value`` as a platform decision, or the refusal every door gives for it (the
    decision sheet's row, the API's ``decision`` / ``outcome``): blank, or not one the platform
    makes (a state only DIP moves a case to is refused here, as an unknown word is)."""
    value = str(value or "").strip()
    if not value:
        raise ValidationError(DECISION_REQUIRED, code="required")
    allowed = platform_decisions(on_item=on_item)
    if value not in allowed:
        raise ValidationError(
            _("“%(value)s” is not a platform decision. Use one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(allowed)},
            code="invalid_choice",
        )
    return value


def ticket_id_check(value) -> str | None:
    """The platform's ticket id as a decision gives it (None when blank), or the refusal every
    door gives: longer than the case keeps."""
    limit = TakedownCase._meta.get_field("ippc_ticket_id").max_length
    value = str(value or "").strip()
    if len(value) > limit:
        raise ValidationError(
            _("An IPPC ticket id has at most %(limit)d characters.") % {"limit": limit},
            code="max_length",
        )
    return value or None


def case_not_found_message(reference: str) -> str:
    """What every door says of a case reference the user cannot see (or that does not exist)."""
    return _("Case %(reference)s not found.") % {"reference": reference}


@dataclass
class CaseDecision:
    """One decision of a batch: move ``case`` to ``to_state`` (its current state = no move) and
    set the platform fields that are not None. ``case`` is the caller's copy: if the case
    changed since it was read (state or version), the decision is refused as stale.
    ``reported_at``: when the platform says it decided, kept beside the server's time."""

    case: TakedownCase
    to_state: str
    note: str = ""
    reason_code: str | ReasonCode | None = ""
    at: datetime | None = None
    reported_at: datetime | None = None
    ippc_ticket_id: str | None = None
    platform_note: str | None = None


class DecisionsRefused(Exception):
    """At least one decision of a batch was refused; nothing was written.

    ``errors`` maps the index of each refused decision to its ValidationError or PermissionDenied.
    """

    def __init__(self, errors: dict[int, Exception]):
        super().__init__(f"{len(errors)} decision(s) refused")
        self.errors = errors


@dataclass
class _Batch:
    """What the checks of a batch read, a few queries for all its cases: the cases (locked),
    their last event times, their items (as ``{field: value}``) and the reason codes named."""

    cases: dict[int, TakedownCase]
    last_at: dict[int, datetime]
    last_stated: dict[int, datetime]
    items_of: dict[int, list[dict]]
    reasons: dict[str, ReasonCode]
    now: datetime  # the batch's time, read once for all its checks

    def facts(self, case: TakedownCase) -> CaseFacts:
        return CaseFacts(
            last_event_at=lambda: self.last_at.get(case.pk),
            last_stated_at=lambda: self.last_stated.get(case.pk),
            item_outcomes=lambda: [item["outcome"] for item in self.items_of.get(case.pk, [])],
            resolve_reason=lambda code: resolve_reason(code, self.reasons),
            now=lambda: self.now,
        )


@transaction.atomic
def cases_record_decisions(
    *, decisions: list[CaseDecision], actor, change_reason: str = ""
) -> list[bool]:
    """Apply many decisions in one transaction, all or nothing; returns, per decision, whether
    it changed anything (the same state and platform fields again is a no-op, not a refusal).

    The same rules as ``case_transition`` (``TRANSITIONS`` and ``_check_transition``), read for
    every case in a few queries: the cases locked with SELECT ... FOR UPDATE, their last event
    times, their items' outcomes and the reason codes. Writes: the cases with conditional bulk
    UPDATEs on (pk, state, version), their items in bulk, the StatusEvents with COPY, and one
    audit-history row per changed case in ``actor``'s name. Raises
    ``DecisionsRefused`` (every refused decision, by index) and writes nothing when any is refused.
    """
    ids = [d.case.pk for d in decisions]
    if len(set(ids)) != len(ids):
        raise ValueError("A batch holds at most one decision per case.")
    now = timezone.now()
    batch = _read_batch(ids, decisions, now)
    moves = _check_all(decisions, batch, actor=actor, now=now)
    writes = moves_apply([move for _index, move in moves], batch.items_of, actor=actor, now=now)
    moves_write(writes, actor=actor, change_reason=change_reason)
    results = [False] * len(decisions)
    for index, move in moves:
        results[index] = True
        _refresh(decisions[index].case, batch.cases[move.case.pk])
    return results


@dataclass
class ItemDecision:
    """One decision of a batch of items: record ``outcome`` for ``item``, as
    ``case_items.item_record_outcome`` records one."""

    item: InfringingItem
    outcome: str
    reason_code: str | ReasonCode | None = ""
    note: str = ""
    reported_at: datetime | None = None


@transaction.atomic
def items_record_outcomes(
    *, decisions: list[ItemDecision], actor, change_reason: str = ""
) -> list[bool]:
    """Record many item outcomes in one transaction, in order, all or nothing; returns, per
    decision, whether it changed anything (an item that has the outcome already: a no-op).

    Each is what ``item_record_outcome`` does for one — the same checks
    (``item_check_outcome``), an item event and an item audit-history row, and a case whose
    items are all decided moves to the decision they add up to through the state machine's
    checks (``case_check_transition``) and write path — with what they read taken for every
    case in a few queries (``_read_batch``, the cases locked) and written in bulk
    (``moves_write``). Raises ``DecisionsRefused`` and writes nothing when any is refused."""
    from takedowns.case_items import item_check_outcome, roll_up_note, roll_up_reason

    ids = [d.item.pk for d in decisions]
    if len(set(ids)) != len(ids):
        raise ValueError("A batch holds at most one decision per item.")
    now = timezone.now()
    batch = _read_batch([d.item.case_id for d in decisions], decisions, now)
    items = {item["id"]: item for rows in batch.items_of.values() for item in rows}
    item_reasons = ReasonCode.objects.in_bulk(
        {item["outcome_reason"] for item in items.values()} - {None}
    )
    writes = MoveWrites(
        cases={}, case_fields={"state", "version", "updated_at"}, items={}, events=[]
    )
    results = [False] * len(decisions)
    errors: dict[int, Exception] = {}
    for index, decision in enumerate(decisions):
        case, item = batch.cases.get(decision.item.case_id), items.get(decision.item.pk)
        if case is None or item is None:  # deleted since the caller read it
            errors[index] = stale_error(case or decision.item.case)
            continue
        if item["outcome"] == decision.outcome:
            continue
        facts = batch.facts(case)
        try:
            reason = item_check_outcome(
                case=case,
                outcome=decision.outcome,
                actor=actor,
                reason_code=decision.reason_code,
                note=decision.note,
                at=now,
                reported_at=decision.reported_at,
                facts=facts,
            )
        except (ValidationError, PermissionDenied) as error:
            errors[index] = error
            continue
        item.update(outcome=decision.outcome, outcome_reason=reason and reason.pk, outcome_at=now)
        if reason is not None:
            item_reasons[reason.pk] = reason
        writes.items[item["id"]] = item
        writes.events.append(
            event_row(
                case,
                actor,
                to_state=case.state,
                item_id=item["id"],
                item_outcome=decision.outcome,
                at=now,
                reported_at=decision.reported_at,
                reason_code_id=reason and reason.pk,
                note=decision.note or "",
            )
        )
        results[index] = True
        _logged(batch, case, now, decision.reported_at)
        decided = None
        if case.state == CaseState.UNDER_PLATFORM_REVIEW:
            decided = rolled_up_state(i["outcome"] for i in batch.items_of[case.pk])
        if decided is None:
            continue
        rolled_reason = ""
        if decided == CaseState.NOT_REMOVED:
            rolled_reason = roll_up_reason(
                reason,
                [
                    item_reasons[i["outcome_reason"]]
                    for i in batch.items_of[case.pk]
                    if i["outcome"] == ItemOutcome.NOT_REMOVED and i["outcome_reason"]
                ],
            )
        note = roll_up_note(decision.note)
        try:
            _rule, move_reason, at = case_check_transition(
                case=case,
                to_state=decided,
                actor=actor,
                note=note,
                reason_code=rolled_reason,
                at=now,
                reported_at=decision.reported_at,
                facts=facts,
            )
        except (ValidationError, PermissionDenied) as error:
            errors[index] = error
            continue
        move = Move(case, decided, {}, move_reason, at, note, decision.reported_at)
        moved = moves_apply([move], batch.items_of, actor=actor, now=now)
        for pk, before in moved.cases.items():
            writes.cases.setdefault(pk, before)  # the state and version the case was read with
        writes.case_fields |= moved.case_fields
        writes.items.update(moved.items)
        writes.events.extend(moved.events)
    if errors:
        raise DecisionsRefused(errors)
    moves_write(writes, actor=actor, change_reason=change_reason)
    return results


def _logged(batch: _Batch, case: TakedownCase, at: datetime, reported_at) -> None:
    """The case's log has a new step at ``at`` (stated as ``reported_at``): what the next checks
    of the batch compare their times with."""
    stated = reported_at or at
    last, last_stated = batch.last_at.get(case.pk), batch.last_stated.get(case.pk)
    batch.last_at[case.pk] = max(last, at) if last else at
    batch.last_stated[case.pk] = max(last_stated, stated) if last_stated else stated


def _read_batch(ids: list[int], decisions: list, now: datetime) -> _Batch:
    from django.db.models import Max

    batch = _Batch(cases={}, last_at={}, last_stated={}, items_of={}, reasons={}, now=now)
    cases = TakedownCase.objects.select_for_update(of=("self",))
    if any(getattr(d, "to_state", None) == CaseState.FORWARDED for d in decisions):
        cases = cases.select_related("right")  # what the forwarding checks read
    for chunk in in_chunks(sorted(set(ids)), 5000):  # in pk order: no deadlock between batches
        batch.cases.update(
            (case.pk, case) for case in cases.filter(InArray(F("pk"), chunk)).order_by("pk")
        )
        for case_id, last, stated in (
            StatusEvent.objects.filter(InArray(F("case_id"), chunk))
            .order_by()
            .values("case_id")
            .annotate(last=Max("at"), stated=Max(STATED_AT))
            .values_list("case_id", "last", "stated")
        ):
            batch.last_at[case_id], batch.last_stated[case_id] = last, stated
        for item in InfringingItem.objects.filter(InArray(F("case_id"), chunk)).values(
            "id", "case_id", *ITEM_WRITE_FIELDS
        ):
            batch.items_of.setdefault(item["case_id"], []).append(item)
    codes = {str(d.reason_code) for d in decisions if d.reason_code} - {""}
    if codes:
        batch.reasons = {r.code: r for r in ReasonCode.objects.filter(code__in=codes, active=True)}
    return batch


def _check_all(decisions: list[CaseDecision], batch: _Batch, *, actor, now) -> list[tuple]:
    """(index, move) of every decision that changes something, checked; ``DecisionsRefused``
    if any is refused."""
    moves: list[tuple[int, Move]] = []
    errors: dict[int, Exception] = {}
    for index, decision in enumerate(decisions):
        try:
            move = _check_one(decision, batch, actor=actor, now=now)
        except (ValidationError, PermissionDenied) as error:
            errors[index] = error
            continue
        if move is not None:
            moves.append((index, move))
    if errors:
        raise DecisionsRefused(errors)
    return moves


def _check_one(decision: CaseDecision, batch: _Batch, *, actor, now) -> Move | None:
    case = batch.cases.get(decision.case.pk)
    if case is None:  # deleted since the caller read it
        raise stale_error(decision.case)
    if (decision.case.state, decision.case.version) != (case.state, case.version):
        raise stale_error(case)
    reason = at = None
    if decision.to_state != case.state:
        _rule, reason, at = case_check_transition(
            case=case,
            to_state=decision.to_state,
            actor=actor,
            note=decision.note,
            reason_code=decision.reason_code,
            at=decision.at or now,
            reported_at=decision.reported_at,
            facts=batch.facts(case),
        )
    fields = platform_changes(
        case, actor, {name: getattr(decision, name) for name in PLATFORM_FIELDS}
    )
    if at is None and not fields:
        return None
    return Move(
        case,
        decision.to_state,
        fields,
        reason,
        at,
        note=decision.note,
        reported_at=decision.reported_at if at else None,
    )


def _refresh(copy: TakedownCase, fresh: TakedownCase) -> None:
    """The caller's copy of a case follows the case it passed in: each value the copy holds
    that differs is set through its field's descriptor; a field the copy deferred stays
    deferred (read, it loads the case as it is now). The fresh case's values are read as
    loaded, not through the descriptors: a file field's would build a file object per case,
    and a 10,000-row sheet refreshes 10,000 cases."""
    loaded, held = fresh.__dict__, copy.__dict__
    for field in TakedownCase._meta.concrete_fields:
        name = field.attname
        if name in held and held[name] != loaded[name]:
            setattr(copy, name, loaded[name])
