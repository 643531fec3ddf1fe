"""The case state machine: the one place a case changes state.

Every caller (admin, API, bulk decision upload, import, Celery task, tests) goes through these
functions. Rules live here once:

- ``TRANSITIONS`` says which move is allowed from where, which permission it needs and whether it
  needs a reason code; ``case_transition`` checks all of it, claims the case with a conditional
  UPDATE on (pk, state, version) so two concurrent moves cannot both succeed, records timings and
  logs a ``StatusEvent``.
- A refused move raises ``django.core.exceptions.ValidationError`` with a machine-readable ``code``;
  a role that may not make a move gets ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.bulk import (
    copy_insert_values,
    history_insert_from_table,
    update_rows,
)
from portal.dates import local_datetime
from portal.signals import rows_written
from takedowns.choices import (
    BASES_NEEDING_AUTHORIZATION,
    DECIDED_STATES,
    DECISION_STATES,
    PRE_DECISION_STATES,
    CaseState,
    ItemOutcome,
    ReasonUse,
)
from takedowns.models import (
    FIRST_APPEAL_DAYS,
    SECOND_APPEAL_DAYS,
    InfringingItem,
    ReasonCode,
    StatusEvent,
    TakedownCase,
)
from takedowns.sla import case_sla_due

S = CaseState
APP = "takedowns"


#: Who may do what (custom permissions of TakedownCase, held by the roles in TakedownsConfig).
PERM_DIP = "submit_case"  # DIP Officer and Supervisor
PERM_FORWARD = "approve_forwarding"  # DIP Supervisor


PERM_PLATFORM = "record_platform_decision"  # TikTok Liaison
#: How far ahead of the server clock a given ``at`` may be (clock skew).
FUTURE_TOLERANCE = timedelta(minutes=5)
#: The case fields the platform writes besides the state (the liaison's "platform fields").
PLATFORM_FIELDS = ("ippc_ticket_id", "platform_note")
BATCH_SIZE = 1000


@dataclass(frozen=True)
class Transition:
    permission: str
    reason: str | None = None  # a ReasonUse when a reason code is required
    note_required: bool = False


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.DIP_REVIEW): Transition(PERM_DIP),
    (S.DIP_REVIEW, S.DRAFT): Transition(PERM_DIP, note_required=True),
    (S.DIP_REVIEW, S.READY_TO_FORWARD): Transition(PERM_DIP),
    (S.READY_TO_FORWARD, S.DIP_REVIEW): Transition(PERM_DIP, note_required=True),
    (S.READY_TO_FORWARD, S.FORWARDED): Transition(PERM_FORWARD),
    (S.FORWARDED, S.UNDER_PLATFORM_REVIEW): Transition(PERM_PLATFORM),
    (S.UNDER_PLATFORM_REVIEW, S.INFO_REQUESTED): Transition(
        PERM_PLATFORM, reason=ReasonUse.INFO_REQUEST, note_required=True
    ),
    (S.INFO_REQUESTED, S.UNDER_PLATFORM_REVIEW): Transition(PERM_DIP, note_required=True),
    (S.UNDER_PLATFORM_REVIEW, S.REMOVED): Transition(PERM_PLATFORM),
    (S.UNDER_PLATFORM_REVIEW, S.PARTIALLY_REMOVED): Transition(PERM_PLATFORM),
    (S.UNDER_PLATFORM_REVIEW, S.NOT_REMOVED): Transition(
        PERM_PLATFORM, reason=ReasonUse.REFUSAL, note_required=True
    ),
    (S.UNDER_PLATFORM_REVIEW, S.ALREADY_UNAVAILABLE): Transition(PERM_PLATFORM),
    (S.REMOVED, S.APPEALED): Transition(PERM_PLATFORM),
    (S.PARTIALLY_REMOVED, S.APPEALED): Transition(PERM_PLATFORM),
    (S.REMOVAL_UPHELD, S.APPEALED): Transition(PERM_PLATFORM),
    (S.APPEALED, S.REMOVAL_UPHELD): Transition(PERM_PLATFORM),
    (S.APPEALED, S.REINSTATED): Transition(
        PERM_PLATFORM, reason=ReasonUse.REFUSAL, note_required=True
    ),
    **{(state, S.CLOSED): Transition(PERM_DIP) for state in DECIDED_STATES},
    **{
        (state, S.WITHDRAWN): Transition(PERM_DIP, note_required=True)
        for state in PRE_DECISION_STATES
    },
}


def platform_target_states() -> list[str]:
    """The states only the platform moves a case to (what a decision sheet may say)."""
    targets = {to for (_, to), rule in TRANSITIONS.items() if rule.permission == PERM_PLATFORM}
    return [state for state in S.values if state in targets]


#: A forwarded case that the platform decides (the case, or its items) was under the platform's
#: review first: the one step a decision implies.
REVIEW_IMPLIED_FROM = S.FORWARDED


REVIEW = S.UNDER_PLATFORM_REVIEW  # read once: an enum member's lookup costs, per sheet row


def implied_steps(from_state: str, to_state: str) -> list[str]:
    """The steps a platform decision passes through on its way, each recorded as its own move:
    a forwarded case decided outright (e.g. removed) was under the platform's review first."""
    if (
        from_state == REVIEW_IMPLIED_FROM
        and to_state != REVIEW
        and (REVIEW, to_state) in TRANSITIONS
    ):
        return [REVIEW]
    return []


#: The item outcome a case decision gives to items still pending ("partially removed": the
#: items recorded as removed were, the pending rest were not).
IMPLIED_ITEM_OUTCOME = {
    S.REMOVED: ItemOutcome.REMOVED,
    S.PARTIALLY_REMOVED: ItemOutcome.NOT_REMOVED,
    S.NOT_REMOVED: ItemOutcome.NOT_REMOVED,
    S.ALREADY_UNAVAILABLE: ItemOutcome.ALREADY_UNAVAILABLE,
}


def actor_has(actor, permission: str) -> bool:
    """Whether ``actor`` (active) holds the takedowns ``permission``. The answer is kept on the
    actor for the object's lifetime, as Django's ModelBackend keeps the permissions it reads:
    a batch of decisions asks twice per case, and each ``has_perm`` walks the auth backends."""
    if not (actor and actor.is_active):
        return False
    known = actor.__dict__.setdefault("takedown_permissions", {})
    if permission not in known:
        known[permission] = actor.has_perm(f"{APP}.{permission}")
    return known[permission]


def stated_time(*, actor, moment: datetime | None) -> dict:
    """The keyword a time typed or sent for a step goes to. The MOU's clock is the server's: a
    time the platform states is its claim (``reported_at``), kept beside the step and shown, but
    the step (and every SLA and time-to-takedown figure) counts from when the portal received
    it. A time DIP's own staff type is the step's time (``at``)."""
    if moment is None:
        return {}
    if actor_has(actor, PERM_PLATFORM) and not actor_has(actor, PERM_DIP):
        return {"reported_at": moment}
    return {"at": moment}


def check_reported_at(reported_at: datetime | None, last_at: datetime | None) -> None:
    """The platform's stated time may be neither in the future nor before the previous step
    (``last_at``: the latest time stated for, or else taken of, the case's steps)."""
    if reported_at is None:
        return
    if reported_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("The time of a step cannot be in the future."), code="future_time")
    if last_at and reported_at < last_at:
        raise ValidationError(
            _("The time of a step cannot be before the previous step (%(last)s).")
            % {"last": local_datetime(last_at)},
            code="time_before_previous_step",
        )


def resolve_reason(reason_code, known: dict[str, ReasonCode] | None = None) -> ReasonCode | None:
    """The active reason code named ``reason_code``: from ``known`` (a batch's codes read in one
    query) or from the database."""
    if not reason_code:
        return None
    if isinstance(reason_code, ReasonCode):
        return reason_code
    try:
        if known is not None:
            return known[str(reason_code)]
        return ReasonCode.objects.get(code=str(reason_code), active=True)
    except (KeyError, ReasonCode.DoesNotExist):
        raise ValidationError(
            _("Unknown reason code “%(code)s”.") % {"code": reason_code}, code="unknown_reason"
        ) from None


def case_allowed_transitions(*, case: TakedownCase, actor) -> list[str]:
    """The states ``actor`` may move ``case`` to from its current state (permission-wise)."""
    return [
        to_state
        for (from_state, to_state), rule in TRANSITIONS.items()
        if from_state == case.state and actor_has(actor, rule.permission)
    ]


def _check_forwarding(case: TakedownCase, at: datetime, has_items: bool) -> None:
    day = timezone.localdate(at)
    errors = []
    if not has_items:
        errors.append(ValidationError(_("The case has no infringing items."), code="no_items"))
    if not case.summary_en.strip():
        errors.append(
            ValidationError(
                _("Write the English summary for the platform first."), code="summary_missing"
            )
        )
    right = case.right
    if not right.is_valid_on(day):
        errors.append(
            ValidationError(
                _("The right %(right)s is not valid on %(day)s.") % {"right": right, "day": day},
                code="right_not_valid",
            )
        )
    if case.reporter_basis not in BASES_NEEDING_AUTHORIZATION:
        if right.owner_id != case.rights_holder_id:
            errors.append(
                ValidationError(
                    _(
                        "The rights holder does not own the right: attach a letter of authorization."
                    ),
                    code="ownership_not_proven",
                )
            )
    else:
        if not case.authorization_document:
            errors.append(
                ValidationError(
                    _("Attach the letter of authorization or power of attorney."),
                    code="authorization_missing",
                )
            )
        valid_from, valid_until = case.authorization_valid_from, case.authorization_valid_until
        if valid_until is None or valid_until < day or (valid_from and valid_from > day):
            errors.append(
                ValidationError(
                    _(
                        "The letter of authorization is not valid on %(day)s (valid until %(until)s)."
                    )
                    % {"day": day, "until": valid_until or "—"},
                    code="authorization_expired",
                )
            )
    if errors:
        raise ValidationError(errors)


def _check_appeal(case: TakedownCase, at: datetime) -> None:
    limit = 1 if case.respondent_is_creator else 2
    if case.appeal_count >= limit or (case.state == S.REMOVAL_UPHELD and case.appeal_count != 1):
        raise ValidationError(
            _("No further appeal is possible on this case."), code="appeal_limit_reached"
        )
    deadline = case.appeal_deadline
    if deadline and at > deadline:
        raise ValidationError(
            _("The appeal deadline (%(deadline)s) has passed.")
            % {"deadline": local_datetime(deadline)},
            code="appeal_deadline_passed",
        )


@dataclass(frozen=True)
class CaseFacts:
    """What the checks of a move read besides the case row; each read only when a check needs it
    (one case: a query each; a batch: looked up in what the batch read for all its cases)."""

    last_event_at: Callable[[], datetime | None]
    last_stated_at: Callable[[], datetime | None]
    item_outcomes: Callable[[], list[str]]
    resolve_reason: Callable[[str | ReasonCode | None], ReasonCode | None]
    #: The server's time a step may not be later than (a batch reads it once for all its cases).
    now: Callable[[], datetime] = lambda: timezone.now()  # looked up when called


#: An event's time as the platform stated it, else as the server took it.
STATED_AT = Coalesce("reported_at", "at")


def last_stated_at(case: TakedownCase) -> datetime | None:
    return case.events.aggregate(last=Max(STATED_AT))["last"]


def new_case_facts(case: TakedownCase) -> CaseFacts:
    """The facts of a case not saved yet (a step chosen on the new-case page): its log will
    start with its creation, and its items are not counted yet."""
    return CaseFacts(
        last_event_at=lambda: case.created_at,
        last_stated_at=lambda: case.created_at,
        item_outcomes=lambda: [],
        resolve_reason=resolve_reason,
    )


def _facts_of(case: TakedownCase) -> CaseFacts:
    return CaseFacts(
        last_event_at=lambda: (
            case.events.order_by("-at", "-id").values_list("at", flat=True).first()
        ),
        last_stated_at=lambda: last_stated_at(case),
        item_outcomes=lambda: list(case.items.values_list("outcome", flat=True)),
        resolve_reason=resolve_reason,
    )


def case_check_transition(
    *,
    case: TakedownCase,
    to_state: str,
    actor,
    note: str = "",
    reason_code: str | ReasonCode | None = "",
    at: datetime | None = None,
    reported_at: datetime | None = None,
    facts: CaseFacts | None = None,
) -> tuple[Transition, ReasonCode | None, datetime]:
    """Everything ``case_transition`` checks, without writing. Raises on a refusal. ``facts``:
    what the checks read of the case (``cases_record_decisions`` reads it for a whole batch)."""
    return _check_transition(
        case=case,
        to_state=to_state,
        actor=actor,
        note=note,
        reason_code=reason_code,
        at=at or timezone.now(),
        reported_at=reported_at,
        facts=facts or _facts_of(case),
    )


def _check_transition(
    *,
    case: TakedownCase,
    to_state: str,
    actor,
    note: str,
    reason_code,
    at: datetime,
    reported_at: datetime | None = None,
    facts: CaseFacts,
) -> tuple[Transition, ReasonCode | None, datetime]:
    """The rules of a move (the one copy: ``case_transition`` and ``cases_record_decisions``)."""
    note = note or ""
    rule = TRANSITIONS.get((case.state, to_state))
    if rule is None:
        raise ValidationError(
            _("A case cannot move from “%(from)s” to “%(to)s”.")
            % {"from": S(case.state).label, "to": S(to_state).label if to_state in S else to_state},
            code="illegal_transition",
        )
    if not actor_has(actor, rule.permission):
        raise PermissionDenied(
            _("Your role may not move a case from “%(from)s” to “%(to)s”.")
            % {"from": S(case.state).label, "to": S(to_state).label}
        )
    reason = facts.resolve_reason(reason_code)
    if rule.reason and reason is None:
        raise ValidationError(_("Choose a reason code."), code="reason_required")
    if reason is not None and rule.reason and not reason.fits(rule.reason):
        raise ValidationError(
            _("The reason “%(reason)s” does not fit this step.") % {"reason": reason},
            code="reason_not_applicable",
        )
    if (rule.note_required or (reason and reason.note_required)) and not note.strip():
        raise ValidationError(_("Write a note for this step."), code="note_required")
    if at > facts.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("The time of a step cannot be in the future."), code="future_time")
    last = facts.last_event_at()
    if last and at < last:
        raise ValidationError(
            _("The time of a step cannot be before the previous step (%(last)s).")
            % {"last": local_datetime(last)},
            code="time_before_previous_step",
        )
    if reported_at is not None:
        check_reported_at(reported_at, facts.last_stated_at())
    if to_state == S.FORWARDED:
        _check_forwarding(case, at, has_items=bool(facts.item_outcomes()))
    if to_state == S.APPEALED:
        _check_appeal(case, at)
    if case.state == S.UNDER_PLATFORM_REVIEW and to_state in DECISION_STATES:
        _check_decision_matches_items(facts.item_outcomes(), to_state)
    return rule, reason, at


def rolled_up_state(outcomes: Iterable[str]) -> str | None:
    """The case decision that item outcomes add up to; None while any item is pending."""
    outcomes = list(outcomes)
    if not outcomes or ItemOutcome.PENDING in outcomes:
        return None
    if all(o == ItemOutcome.REMOVED for o in outcomes):
        return S.REMOVED
    if ItemOutcome.REMOVED in outcomes:
        return S.PARTIALLY_REMOVED
    if all(o == ItemOutcome.ALREADY_UNAVAILABLE for o in outcomes):
        return S.ALREADY_UNAVAILABLE
    return S.NOT_REMOVED


def _check_decision_matches_items(item_outcomes: list[str], to_state: str) -> None:
    implied = IMPLIED_ITEM_OUTCOME.get(to_state)
    outcomes = [implied if (o == ItemOutcome.PENDING and implied) else o for o in item_outcomes]
    if rolled_up_state(outcomes) != to_state:
        raise ValidationError(
            _(
                "The decision “%(decision)s” does not match the items' outcomes: record each "
                "item's outcome or choose the matching decision."
            )
            % {"decision": S(to_state).label},
            code="decision_mismatch",
        )


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


@transaction.atomic
def case_transition(
    *,
    case: TakedownCase,
    to_state: str,
    actor,
    note: str = "",
    reason_code: str | ReasonCode | None = "",
    at: datetime | None = None,
    reported_at: datetime | None = None,
    change_reason: str = "",
) -> TakedownCase:
    """Move ``case`` to ``to_state`` as ``actor``; logs a StatusEvent, adds a row to the case's
    audit history in ``actor``'s name (with ``change_reason``) and returns the case. (The
    platform's fields, with or without a move, go through ``decisions.cases_record_decisions``.)
    ``reported_at``: the time the platform states for its step, kept beside it (``stated_time``).

    Raises ValidationError (``code``: illegal_transition, reason_required, note_required,
    unknown_reason, reason_not_applicable, future_time, time_before_previous_step, no_items,
    summary_missing, right_not_valid, ownership_not_proven, authorization_missing,
    authorization_expired,
    appeal_limit_reached, appeal_deadline_passed, decision_mismatch, stale) or PermissionDenied.
    """
    _rule, reason, at = case_check_transition(
        case=case,
        to_state=to_state,
        actor=actor,
        note=note,
        reason_code=reason_code,
        at=at,
        reported_at=reported_at,
    )
    move = Move(case, to_state, {}, reason, at, note, reported_at)
    items = InfringingItem.objects.filter(case=case).values("id", "case_id", *ITEM_WRITE_FIELDS)
    writes = moves_apply([move], {case.pk: list(items)}, actor=actor, now=timezone.now())
    moves_write(writes, actor=actor, change_reason=change_reason)
    return case


def audit_history_write(*, objects: Iterable, actor, change_reason: str = "") -> None:
    """One audit-history row per object (a case, an item), as it is in memory, in ``actor``'s name.

    The state machine writes with conditional UPDATEs (no ``save()``, so no history signal);
    this records the result the way the admin's save of a case does."""
    by_model: dict = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for model, rows in by_model.items():
        model.history.bulk_history_create(
            rows,
            batch_size=BATCH_SIZE,
            update=True,
            default_user=actor,
            default_change_reason=change_reason[:100],
        )


def stale_error(case: TakedownCase) -> ValidationError:
    return ValidationError(
        _("Someone else changed case %(reference)s meanwhile. Reload it and try again.")
        % {"reference": case.reference},
        code="stale",
    )


#: The item fields that ``_item_effects`` sets.
ITEM_EFFECT_FIELDS = ["outcome", "outcome_at", "is_open"]
#: The item fields a batch reads and ``moves_write`` writes: the effects' and the reason an item
#: decision gives (``decisions.items_record_outcomes``).
ITEM_WRITE_FIELDS = [*ITEM_EFFECT_FIELDS, "outcome_reason"]


def platform_changes(case: TakedownCase, actor, values: dict) -> dict:
    """The platform fields among ``values`` that differ from the case's; PermissionDenied if
    there are any and ``actor`` is not the platform."""
    unknown = set(values) - set(PLATFORM_FIELDS)
    if unknown:
        raise ValueError(f"Not platform fields: {sorted(unknown)}")
    changes = {
        name: value
        for name, value in values.items()
        if value is not None and value != getattr(case, name)
    }
    if changes and not actor_has(actor, PERM_PLATFORM):
        raise PermissionDenied(_("Only the platform records its ticket id."))
    return changes


def _item_effects(from_state: str, to_state: str, at: datetime) -> list[tuple[str | None, dict]]:
    """What a move does to the case's items: ``(outcome an item must have, or None for every
    item; the fields it gets)``."""
    effects: list[tuple[str | None, dict]] = []
    implied = IMPLIED_ITEM_OUTCOME.get(to_state)
    if from_state == S.UNDER_PLATFORM_REVIEW and implied:
        effects.append((ItemOutcome.PENDING, {"outcome": implied, "outcome_at": at}))
    if to_state == S.REINSTATED:
        effects.append((ItemOutcome.REMOVED, {"outcome": ItemOutcome.REINSTATED, "outcome_at": at}))
    if to_state in (S.CLOSED, S.WITHDRAWN):
        effects.append((None, {"is_open": False}))
    return effects


def _transition_changes(
    case: TakedownCase, to_state: str, at: datetime, reported_at: datetime | None = None
) -> dict:
    """The case's timing fields a move to ``to_state`` at ``at`` sets (besides state/version);
    the platform's ``reported_at`` is kept beside them and moves none of them."""
    from_state = case.state
    changes: dict = {}
    if from_state == S.DRAFT and to_state == S.DIP_REVIEW and case.submitted_at is None:
        changes["submitted_at"] = at
    if to_state == S.FORWARDED:
        changes["forwarded_at"] = at
        changes["sla_due_at"] = case_sla_due(forwarded_at=at, priority=case.priority)
        changes["sla_breached"] = False
    if to_state == S.INFO_REQUESTED:
        changes["paused_since"] = at
    if from_state == S.INFO_REQUESTED and case.paused_since:
        pause = at - case.paused_since
        changes["paused_seconds"] = case.paused_seconds + _seconds(pause)
        changes["paused_since"] = None
        if case.sla_due_at:
            changes["sla_due_at"] = case.sla_due_at + pause
    if to_state in DECISION_STATES and case.decided_at is None:
        changes["decided_at"] = at
        changes["platform_decided_at"] = reported_at
    if to_state in (S.REMOVED, S.PARTIALLY_REMOVED) and case.removed_at is None:
        changes["removed_at"] = at
        changes["takedown_seconds"] = _seconds(at - case.forwarded_at) - case.paused_seconds
        changes["first_appeal_deadline"] = at + timedelta(days=FIRST_APPEAL_DAYS)
    if to_state == S.APPEALED:
        changes["appeal_count"] = case.appeal_count + 1
    if to_state == S.REMOVAL_UPHELD and case.appeal_count == 1 and not case.respondent_is_creator:
        changes["second_appeal_deadline"] = at + timedelta(days=SECOND_APPEAL_DAYS)
    if to_state in (S.CLOSED, S.WITHDRAWN):
        changes["closed_at"] = at
    return changes


@transaction.atomic
def case_create(*, case: TakedownCase, actor, note: str = "") -> TakedownCase:
    """Save a new case (its reference assigned on save) and log its creation: the one way a case
    comes into being, for the admin's form, an imported row, a monitoring sweep's finding and the
    demo data. The caller has validated it (a form, the import's row checks, ``full_clean``).
    An import job's bulk write inserts many cases at once, each with ``case_created_event``."""
    case.save()
    case_created_event(case=case, actor=actor, note=note).save()
    return case


def case_created_event(*, case: TakedownCase, actor, note: str = "") -> StatusEvent:
    """The first entry of a case's log (not saved yet)."""
    return StatusEvent(case=case, actor=actor, **case_created_event_values(case=case, note=note))


def case_created_event_values(*, case: TakedownCase, note: str = "") -> dict:
    """What the first entry of a case's log says, besides its case and actor (a bulk insert
    writes these values for thousands of cases without making each event)."""
    return {"from_state": "", "to_state": case.state, "at": case.created_at, "note": note}


# --- the write path of every move (one case or a batch) ----------------------------------


@dataclass
class Move:
    """A checked move of ``case`` (``at`` is None when only platform fields change), ready for
    ``moves_apply`` and ``moves_write``: the one write path of a case's state."""

    case: TakedownCase
    to_state: str
    fields: dict
    reason: ReasonCode | None = None
    at: datetime | None = None
    note: str = ""
    reported_at: datetime | None = None


@dataclass
class MoveWrites:
    """What ``moves_apply`` changed in memory, for ``moves_write``."""

    cases: dict[int, tuple[TakedownCase, str, int]]  # pk -> (case, old state, old version)
    case_fields: set[str]
    items: dict[int, dict]  # item id -> {field: value}
    events: list[dict]  # the StatusEvents to insert, as {attname: value}


def moves_apply(moves: list[Move], items_of: dict[int, list[dict]], *, actor, now) -> MoveWrites:
    """Apply ``moves`` to their cases and to their items (``items_of``: case pk -> the items as
    ``{field: value}``, ``id`` and ``ITEM_WRITE_FIELDS``) in memory; returns what to write."""
    writes = MoveWrites(
        cases={}, case_fields={"state", "version", "updated_at"}, items={}, events=[]
    )
    notes: dict[str, str] = {}  # the items' event note per decision, translated once
    for move in moves:
        case = move.case
        writes.cases[case.pk] = (case, case.state, case.version)
        if move.at is not None:  # a move, not only platform fields
            # the items' events first, as when the platform decides item by item (roll-up)
            _apply_items(case, move, items_of, writes, notes, actor=actor)
            writes.events.append(
                event_row(
                    case,
                    actor,
                    to_state=move.to_state,
                    at=move.at,
                    reported_at=move.reported_at,
                    reason_code_id=move.reason.pk if move.reason else None,
                    note=move.note or "",
                )
            )
            changes = _transition_changes(case, move.to_state, move.at, move.reported_at)
            _set(case, changes, writes)
            case.state = move.to_state
        _set(case, move.fields, writes)
        case.version += 1
        case.updated_at = now
    return writes


def _apply_items(
    case: TakedownCase, move: Move, items_of: dict, writes: MoveWrites, notes: dict, *, actor
) -> None:
    """The move's effects on the case's items; each outcome it sets is an item event of its own
    (in the feed and the case's log, as if the platform had recorded it item by item), noted
    with ``notes``' text for the decision (added there when missing)."""
    for only_outcome, item_fields in _item_effects(case.state, move.to_state, move.at):
        for item in items_of.get(case.pk, []):
            if only_outcome is None or item["outcome"] == only_outcome:
                item.update(item_fields)
                writes.items[item["id"]] = item
                if "outcome" in item_fields:
                    if move.to_state not in notes:
                        notes[move.to_state] = _("Set by the case's decision “%(decision)s”.") % {
                            "decision": S(move.to_state).label
                        }
                    note = notes[move.to_state]
                    writes.events.append(
                        event_row(
                            case,
                            actor,
                            to_state=case.state,
                            item_id=item["id"],
                            item_outcome=item_fields["outcome"],
                            at=move.at,
                            reported_at=move.reported_at,
                            note=note,
                        )
                    )


def event_row(case: TakedownCase, actor, **values) -> dict:
    """A StatusEvent of ``case`` by ``actor`` as the values ``copy_insert_values`` writes (no
    model instance per event: a 10,000-row sheet writes some 25,000 of them)."""
    return {
        "case_id": case.pk,
        "from_state": case.state,
        "actor_id": getattr(actor, "pk", None),
        **values,
    }


def _set(case: TakedownCase, values: dict, writes: MoveWrites) -> None:
    for name, value in values.items():
        setattr(case, name, value)
        writes.case_fields.add(name)


def moves_write(writes: MoveWrites, *, actor, change_reason: str = "") -> None:
    """Write what ``moves_apply`` changed: the cases with conditional bulk UPDATEs on (pk, state,
    version) (``stale`` if one changed meanwhile), their items, the StatusEvents and one
    audit-history row per case and per changed item in ``actor``'s name."""
    case_fields = sorted(writes.case_fields)
    for chunk in in_chunks(list(writes.cases.values())):
        written = update_rows(
            TakedownCase,
            case_fields,
            [
                (case.pk, old_state, old_version, *(getattr(case, name) for name in case_fields))
                for case, old_state, old_version in chunk
            ],
            guard=("state", "version"),
        )
        if written != len(chunk):  # cannot happen under the row locks; never write half a batch
            raise stale_error(chunk[0][0])
    for chunk in in_chunks(list(writes.items.values())):
        update_rows(
            InfringingItem,
            ITEM_WRITE_FIELDS,
            [(item["id"], *(item[name] for name in ITEM_WRITE_FIELDS)) for item in chunk],
        )
    copy_insert_values(StatusEvent, writes.events)
    for model, pks in ((TakedownCase, list(writes.cases)), (InfringingItem, list(writes.items))):
        if not history_insert_from_table(model, pks, user=actor, change_reason=change_reason):
            objects = model._base_manager.filter(pk__in=pks)
            audit_history_write(objects=objects, actor=actor, change_reason=change_reason)
    rows_written.send(sender=TakedownCase)  # bulk UPDATEs: no save signal tells the dashboard


def in_chunks(values: list, size: int = BATCH_SIZE):
    for start in range(0, len(values), size):
        yield values[start : start + size]
