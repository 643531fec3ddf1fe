"""Many platform decisions at once (the liaison's decision sheet, the API's batch): the rules of
``takedowns.transitions`` applied to every case in a few queries, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from takedowns.models import InfringingItem, ReasonCode, StatusEvent, TakedownCase
from takedowns.transitions import (
    BATCH_SIZE,
    ITEM_EFFECT_FIELDS,
    PLATFORM_FIELDS,
    CaseFacts,
    _check_transition,
    _item_effects,
    _platform_changes,
    _resolve_reason,
    _stale,
    _transition_changes,
    audit_history_write,
)


@dataclass
class CaseDecision:
    """One decision of a batch: move ``case`` to ``to_state`` (its current state = no move) and
    set the platform fields that are not None. ``case`` is the caller's copy: if the case
    changed since it was read (state or version), the decision is refused as stale."""

    case: TakedownCase
    to_state: str
    note: str = ""
    reason_code: str | ReasonCode | None = ""
    at: datetime | None = None
    ippc_ticket_id: str | None = None
    platform_note: str | None = None


class DecisionsRefused(Exception):
    """At least one decision of a batch was refused; nothing was written.

    ``errors`` maps the index of each refused decision to its ValidationError or PermissionDenied.
    """

    def __init__(self, errors: dict[int, Exception]):
        super().__init__(f"{len(errors)} decision(s) refused")
        self.errors = errors


def _chunks(values: list, size: int = BATCH_SIZE):
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class _Batch:
    """What the checks of a batch read, a few queries for all its cases: the cases (locked),
    their last event times, their items (as ``{field: value}``) and the reason codes named."""

    cases: dict[int, TakedownCase]
    last_at: dict[int, datetime]
    items_of: dict[int, list[dict]]
    reasons: dict[str, ReasonCode]

    def facts(self, case: TakedownCase) -> CaseFacts:
        return CaseFacts(
            last_event_at=lambda: self.last_at.get(case.pk),
            item_outcomes=lambda: [item["outcome"] for item in self.items_of.get(case.pk, [])],
            resolve_reason=lambda code: _resolve_reason(code, self.reasons),
        )


@dataclass
class _Move:
    """A checked decision: ``at`` is None when only platform fields change."""

    index: int
    case: TakedownCase
    to_state: str
    fields: dict
    reason: ReasonCode | None
    at: datetime | None


@dataclass
class _Writes:
    cases: dict[int, tuple[TakedownCase, str, int]]  # pk -> (case, old state, old version)
    case_fields: set[str]
    items: dict[int, dict]  # item id -> {field: value}
    events: list[StatusEvent]


@transaction.atomic
def cases_record_decisions(
    *, decisions: list[CaseDecision], actor, change_reason: str = ""
) -> list[bool]:
    """Apply many decisions in one transaction, all or nothing; returns, per decision, whether
    it changed anything (the same state and platform fields again is a no-op, not a refusal).

    The same rules as ``case_transition`` (``TRANSITIONS`` and ``_check_transition``), read for
    every case in a few queries: the cases locked with SELECT ... FOR UPDATE, their last event
    times, their items' outcomes and the reason codes. Writes: the cases with conditional bulk
    UPDATEs on (pk, state, version), their items in bulk, the StatusEvents with one bulk INSERT
    per thousand, and one audit-history row per changed case in ``actor``'s name. Raises
    ``DecisionsRefused`` (every refused decision, by index) and writes nothing when any is refused.
    """
    ids = [d.case.pk for d in decisions]
    if len(set(ids)) != len(ids):
        raise ValueError("A batch holds at most one decision per case.")
    now = timezone.now()
    batch = _read_batch(ids, decisions)
    moves = _check_all(decisions, batch, actor=actor, now=now)
    writes = _apply(moves, decisions, batch, actor=actor, now=now)
    _write(writes, actor=actor, change_reason=change_reason)
    results = [False] * len(decisions)
    for move in moves:
        results[move.index] = True
        _refresh(decisions[move.index].case, batch.cases[move.case.pk])
    return results


def _read_batch(ids: list[int], decisions: list[CaseDecision]) -> _Batch:
    from django.db.models import Max

    batch = _Batch(cases={}, last_at={}, items_of={}, reasons={})
    for chunk in _chunks(sorted(set(ids)), 5000):  # in pk order: no deadlock between batches
        batch.cases.update(
            (case.pk, case)
            for case in TakedownCase.objects.select_for_update(of=("self",))
            .select_related("right")
            .filter(pk__in=chunk)
            .order_by("pk")
        )
        batch.last_at.update(
            StatusEvent.objects.filter(case_id__in=chunk)
            .order_by()
            .values("case_id")
            .annotate(last=Max("at"))
            .values_list("case_id", "last")
        )
        for item in InfringingItem.objects.filter(case_id__in=chunk).values(
            "id", "case_id", *ITEM_EFFECT_FIELDS
        ):
            batch.items_of.setdefault(item["case_id"], []).append(item)
    codes = {str(d.reason_code) for d in decisions if d.reason_code} - {""}
    if codes:
        batch.reasons = {r.code: r for r in ReasonCode.objects.filter(code__in=codes, active=True)}
    return batch


def _check_all(decisions: list[CaseDecision], batch: _Batch, *, actor, now) -> list[_Move]:
    """Every decision that changes something, checked; ``DecisionsRefused`` if any is refused."""
    moves: list[_Move] = []
    errors: dict[int, Exception] = {}
    for index, decision in enumerate(decisions):
        try:
            move = _check_one(index, decision, batch, actor=actor, now=now)
        except (ValidationError, PermissionDenied) as error:
            errors[index] = error
            continue
        if move is not None:
            moves.append(move)
    if errors:
        raise DecisionsRefused(errors)
    return moves


def _check_one(index: int, decision: CaseDecision, batch: _Batch, *, actor, now) -> _Move | None:
    case = batch.cases.get(decision.case.pk)
    if case is None:  # deleted since the caller read it
        raise _stale(decision.case)
    if (decision.case.state, decision.case.version) != (case.state, case.version):
        raise _stale(case)
    reason = at = None
    if decision.to_state != case.state:
        _rule, reason, at = _check_transition(
            case=case,
            to_state=decision.to_state,
            actor=actor,
            note=decision.note,
            reason_code=decision.reason_code,
            at=decision.at or now,
            facts=batch.facts(case),
        )
    fields = _platform_changes(
        case, actor, {name: getattr(decision, name) for name in PLATFORM_FIELDS}
    )
    if at is None and not fields:
        return None
    return _Move(index, case, decision.to_state, fields, reason, at)


def _apply(moves: list[_Move], decisions, batch: _Batch, *, actor, now) -> _Writes:
    """Apply the moves to the locked cases and their items in memory; what to write."""
    writes = _Writes(cases={}, case_fields={"state", "version", "updated_at"}, items={}, events=[])
    for move in moves:
        case = move.case
        writes.cases[case.pk] = (case, case.state, case.version)
        if move.at is not None:  # a move, not only platform fields
            writes.events.append(
                StatusEvent(
                    case=case,
                    from_state=case.state,
                    to_state=move.to_state,
                    actor=actor,
                    at=move.at,
                    reason_code=move.reason,
                    note=decisions[move.index].note or "",
                )
            )
            _apply_items(case, move, batch, writes)
            _set(case, _transition_changes(case, move.to_state, move.at), writes)
            case.state = move.to_state
        _set(case, move.fields, writes)
        case.version += 1
        case.updated_at = now
    return writes


def _apply_items(case: TakedownCase, move: _Move, batch: _Batch, writes: _Writes) -> None:
    for only_outcome, item_fields in _item_effects(case.state, move.to_state, move.at):
        for item in batch.items_of.get(case.pk, []):
            if only_outcome is None or item["outcome"] == only_outcome:
                item.update(item_fields)
                writes.items[item["id"]] = item


def _set(case: TakedownCase, values: dict, writes: _Writes) -> None:
    for name, value in values.items():
        setattr(case, name, value)
        writes.case_fields.add(name)


def _write(writes: _Writes, *, actor, change_reason: str) -> None:
    case_fields = sorted(writes.case_fields)
    for chunk in _chunks(list(writes.cases.values())):
        written = _update_rows(
            TakedownCase,
            case_fields,
            [
                (case.pk, old_state, old_version, *(getattr(case, name) for name in case_fields))
                for case, old_state, old_version in chunk
            ],
            guard=("state", "version"),
        )
        if written != len(chunk):  # cannot happen under the row locks; never write half a batch
            raise _stale(chunk[0][0])
    for chunk in _chunks(list(writes.items.values())):
        _update_rows(
            InfringingItem,
            ITEM_EFFECT_FIELDS,
            [(item["id"], *(item[name] for name in ITEM_EFFECT_FIELDS)) for item in chunk],
        )
    StatusEvent.objects.bulk_create(writes.events, batch_size=BATCH_SIZE)
    _history_rows_from_table(
        TakedownCase,
        [case for case, _state, _version in writes.cases.values()],
        actor=actor,
        change_reason=change_reason,
    )


def _refresh(copy: TakedownCase, fresh: TakedownCase) -> None:
    """The caller's copy of a case follows the case it passed in."""
    for field in TakedownCase._meta.concrete_fields:
        setattr(copy, field.attname, getattr(fresh, field.attname))


def _history_rows_from_table(model, objects: list, *, actor, change_reason: str = "") -> None:
    """``audit_history_write`` for rows just written: on PostgreSQL one INSERT ... SELECT per
    thousand rows copies the tracked columns from the table itself (no Python object per row)."""
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        audit_history_write(objects=objects, actor=actor, change_reason=change_reason)
        return
    history = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in history.tracked_fields)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, "
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {columns}, %s, %s, '~', %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} = ANY(%s)"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        for chunk in _chunks([obj.pk for obj in objects]):
            cursor.execute(sql, [now, change_reason[:100], getattr(actor, "pk", None), chunk])


def _update_rows(
    model, fields: list[str], rows: list[tuple], *, guard: tuple[str, ...] = ()
) -> int:
    """A conditional bulk UPDATE: each row is ``(pk, *expected values of guard, *new values of
    fields)``; a row is written only if its guard columns still hold the expected values.
    Returns how many rows were written.

    On PostgreSQL one ``UPDATE ... FROM unnest(<one array per column>)`` joined on the pk and the guard (Django's
    ``bulk_update`` builds a CASE per field and row, which is what made a 10,000-row sheet slow);
    elsewhere (the SQLite quick start) one conditional ``update()`` per row.
    """
    from django.db import connections, router

    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    n_guard = len(guard)
    if connection.vendor != "postgresql":
        written = 0
        for row in rows:
            where = {"pk": row[0], **dict(zip(guard, row[1 : 1 + n_guard], strict=True))}
            values = dict(zip(fields, row[1 + n_guard :], strict=True))
            written += model._base_manager.filter(**where).update(**values)
        return written
    opts = model._meta
    columns = [opts.pk, *(opts.get_field(n) for n in guard), *(opts.get_field(n) for n in fields)]
    quote = connection.ops.quote_name
    aliases = [f"c{i}" for i in range(len(columns))]
    # One array per column (unnest): a handful of parameters whatever the number of rows.
    arrays = ", ".join(f"CAST(%s AS {f.db_type(connection)}[])" for f in columns)
    params = [
        [f.get_db_prep_save(row[i], connection) for row in rows] for i, f in enumerate(columns)
    ]
    settings_sql = ", ".join(
        f"{quote(f.column)} = v.{alias}"
        for f, alias in zip(columns[1 + n_guard :], aliases[1 + n_guard :], strict=True)
    )
    where_sql = " AND ".join(
        f"t.{quote(f.column)} = v.{alias}"
        for f, alias in zip(columns[: 1 + n_guard], aliases[: 1 + n_guard], strict=True)
    )
    sql = (
        f"UPDATE {quote(opts.db_table)} AS t SET {settings_sql} "
        f"FROM unnest({arrays}) AS v({', '.join(aliases)}) WHERE {where_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
