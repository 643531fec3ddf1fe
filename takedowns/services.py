"""Writes that are workflows: the case state machine, item decisions, duplicates, SLA, evidence.

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

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.roles import LIAISON
from portal.security.uploads import EVIDENCE_TYPES, check_upload
from portal.workdays import add_working_days
from takedowns.choices import (
    DECIDED_STATES,
    DECISION_STATES,
    PRE_DECISION_STATES,
    PRIORITIES_WITHIN_24H,
    CaseState,
    ItemKind,
    ItemOutcome,
    ReasonUse,
    ReporterBasis,
)
from takedowns.models import (
    FIRST_APPEAL_DAYS,
    SECOND_APPEAL_DAYS,
    CaseReferenceCounter,
    DuplicateItemError,
    InfringingItem,
    PlatformSeller,
    ProtectedRight,
    ReasonCode,
    StatusEvent,
    TakedownCase,
)

logger = logging.getLogger(__name__)

S = CaseState
APP = "takedowns"
#: Who may do what (custom permissions of TakedownCase, held by the roles in TakedownsConfig).
PERM_DIP = "submit_case"  # DIP Officer and Supervisor
PERM_FORWARD = "approve_forwarding"  # DIP Supervisor
PERM_PLATFORM = "record_platform_decision"  # TikTok Liaison

#: How far ahead of the server clock a given ``at`` may be (clock skew).
FUTURE_TOLERANCE = timedelta(minutes=5)
SLA_HOURS_URGENT = 24
SLA_WORKING_DAYS = 3


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


#: The item outcome a case decision gives to items still pending ("partially removed": the
#: items recorded as removed were, the pending rest were not).
IMPLIED_ITEM_OUTCOME = {
    S.REMOVED: ItemOutcome.REMOVED,
    S.PARTIALLY_REMOVED: ItemOutcome.NOT_REMOVED,
    S.NOT_REMOVED: ItemOutcome.NOT_REMOVED,
    S.ALREADY_UNAVAILABLE: ItemOutcome.ALREADY_UNAVAILABLE,
}


# --- references ------------------------------------------------------------------------------


def case_next_reference(*, year: int | None = None) -> str:
    """``TD-<year>-<6 digits>``, unique under concurrency (an atomic UPDATE of a counter row)."""
    return CaseReferenceCounter.next_reference(year=year)


# --- the state machine -----------------------------------------------------------------------


def _has(actor, permission: str) -> bool:
    return bool(actor and actor.is_active and actor.has_perm(f"{APP}.{permission}"))


def _resolve_reason(reason_code, known: dict[str, ReasonCode] | None = None) -> ReasonCode | None:
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
        if from_state == case.state and _has(actor, rule.permission)
    ]


def _check_forwarding(case: TakedownCase, at: datetime, has_items: bool) -> None:
    day = timezone.localdate(at)
    errors = []
    if not has_items:
        errors.append(ValidationError(_("The case has no infringing items."), code="no_items"))
    right = case.right
    if not right.is_valid_on(day):
        errors.append(
            ValidationError(
                _("The right %(right)s is not valid on %(day)s.") % {"right": right, "day": day},
                code="right_not_valid",
            )
        )
    if case.reporter_basis == ReporterBasis.OWNER:
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
            % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
            code="appeal_deadline_passed",
        )


@dataclass(frozen=True)
class CaseFacts:
    """What the checks of a move read besides the case row; each read only when a check needs it
    (one case: a query each; a batch: looked up in what the batch read for all its cases)."""

    last_event_at: Callable[[], datetime | None]
    item_outcomes: Callable[[], list[str]]
    resolve_reason: Callable[[str | ReasonCode | None], ReasonCode | None]


def _facts_of(case: TakedownCase) -> CaseFacts:
    return CaseFacts(
        last_event_at=lambda: (
            case.events.order_by("-at", "-id").values_list("at", flat=True).first()
        ),
        item_outcomes=lambda: list(case.items.values_list("outcome", flat=True)),
        resolve_reason=_resolve_reason,
    )


def case_check_transition(
    *,
    case: TakedownCase,
    to_state: str,
    actor,
    note: str = "",
    reason_code: str | ReasonCode | None = "",
    at: datetime | None = None,
) -> tuple[Transition, ReasonCode | None, datetime]:
    """Everything ``case_transition`` checks, without writing. Raises on a refusal."""
    return _check_transition(
        case=case,
        to_state=to_state,
        actor=actor,
        note=note,
        reason_code=reason_code,
        at=at or timezone.now(),
        facts=_facts_of(case),
    )


def _check_transition(
    *,
    case: TakedownCase,
    to_state: str,
    actor,
    note: str,
    reason_code,
    at: datetime,
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
    if not _has(actor, rule.permission):
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
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("The time of a step cannot be in the future."), code="future_time")
    last = facts.last_event_at()
    if last and at < last:
        raise ValidationError(
            _("The time of a step cannot be before the previous step (%(last)s).")
            % {"last": timezone.localtime(last).strftime("%Y-%m-%d %H:%M")},
            code="time_before_previous_step",
        )
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


def case_sla_due(*, forwarded_at: datetime, priority: str) -> datetime:
    """When the platform's decision is due: 24 h for high/urgent, else 3 Thai working days."""
    if priority in PRIORITIES_WITHIN_24H:
        return forwarded_at + timedelta(hours=SLA_HOURS_URGENT)
    return add_working_days(forwarded_at, SLA_WORKING_DAYS)


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
    change_reason: str = "",
    platform_fields: dict | None = None,
) -> TakedownCase:
    """Move ``case`` to ``to_state`` as ``actor``; logs a StatusEvent, adds a row to the case's
    audit history in ``actor``'s name (with ``change_reason``) and returns the case.
    ``platform_fields`` (IPPC ticket id, platform note: only the platform writes them) are
    written in the same UPDATE.

    Raises ValidationError (``code``: illegal_transition, reason_required, note_required,
    unknown_reason, reason_not_applicable, future_time, time_before_previous_step, no_items,
    right_not_valid, ownership_not_proven, authorization_missing, authorization_expired,
    appeal_limit_reached, appeal_deadline_passed, decision_mismatch, stale) or PermissionDenied.
    """
    _rule, reason, at = case_check_transition(
        case=case, to_state=to_state, actor=actor, note=note, reason_code=reason_code, at=at
    )
    from_state = case.state
    changes = {
        **_transition_changes(case, to_state, at),
        **_platform_changes(case, actor, platform_fields or {}),
    }

    claimed = TakedownCase.objects.filter(
        pk=case.pk, state=from_state, version=case.version
    ).update(state=to_state, version=F("version") + 1, updated_at=timezone.now(), **changes)
    if not claimed:
        raise _stale(case)
    for name, value in changes.items():
        setattr(case, name, value)
    case.state = to_state
    case.version += 1

    items = InfringingItem.objects.filter(case=case)
    for only_outcome, fields in _item_effects(from_state, to_state, at):
        (items if only_outcome is None else items.filter(outcome=only_outcome)).update(**fields)

    StatusEvent.objects.create(
        case=case,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=at,
        reason_code=reason,
        note=note,
    )
    audit_history_write(objects=[case], actor=actor, change_reason=change_reason)
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


def _stale(case: TakedownCase) -> ValidationError:
    return ValidationError(
        _("Someone else changed case %(reference)s meanwhile. Reload it and try again.")
        % {"reference": case.reference},
        code="stale",
    )


#: The item fields that ``_item_effects`` sets.
ITEM_EFFECT_FIELDS = ["outcome", "outcome_at", "is_open"]


def _platform_changes(case: TakedownCase, actor, values: dict) -> dict:
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
    if changes and not _has(actor, PERM_PLATFORM):
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


def _transition_changes(case: TakedownCase, to_state: str, at: datetime) -> dict:
    """The case's timing fields a move to ``to_state`` at ``at`` sets (besides state/version)."""
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
def case_create(*, actor, **fields) -> TakedownCase:
    """Create a draft case (reference assigned) and log its creation."""
    case = TakedownCase(**fields)
    case.state = S.DRAFT
    case.full_clean(exclude=["reference"])
    case.save()
    case_log_created(case=case, actor=actor)
    return case


def case_log_created(*, case: TakedownCase, actor, note: str = "") -> StatusEvent:
    return StatusEvent.objects.create(
        case=case, from_state="", to_state=case.state, actor=actor, at=case.created_at, note=note
    )


def case_save_fields(*, case: TakedownCase, expected_version: int, fields: list[str]) -> None:
    """Save edited fields of ``case`` only if nobody saved it since ``expected_version``.

    Raises ValidationError(code="stale") and writes nothing on a lost update.
    """
    values = {name: getattr(case, name) for name in fields}
    claimed = TakedownCase.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not claimed:
        raise ValidationError(
            _("Someone else saved case %(reference)s after you opened it. Reload it and try again.")
            % {"reference": case.reference},
            code="stale",
        )
    case.version = expected_version + 1


# --- many decisions at once (the liaison's decision sheet) ------------------------------------

#: The case fields the platform writes besides the state (the liaison's "platform fields").
PLATFORM_FIELDS = ("ippc_ticket_id", "platform_note")
BATCH_SIZE = 1000


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
    from django.db.models import Max

    now = timezone.now()
    errors: dict[int, Exception] = {}
    ids = [d.case.pk for d in decisions]
    if len(set(ids)) != len(ids):
        raise ValueError("A batch holds at most one decision per case.")
    locked: dict[int, TakedownCase] = {}
    last_at: dict[int, datetime] = {}
    items_of: dict[int, list[dict]] = {}  # case pk -> its items as {field: value}
    for chunk in _chunks(sorted(set(ids)), 5000):  # in pk order: no deadlock between batches
        locked.update(
            (case.pk, case)
            for case in TakedownCase.objects.select_for_update(of=("self",))
            .select_related("right")
            .filter(pk__in=chunk)
            .order_by("pk")
        )
        last_at.update(
            StatusEvent.objects.filter(case_id__in=chunk)
            .order_by()
            .values("case_id")
            .annotate(last=Max("at"))
            .values_list("case_id", "last")
        )
        for item in InfringingItem.objects.filter(case_id__in=chunk).values(
            "id", "case_id", *ITEM_EFFECT_FIELDS
        ):
            items_of.setdefault(item["case_id"], []).append(item)
    codes = {str(d.reason_code) for d in decisions if d.reason_code} - {""}
    reasons = (
        {r.code: r for r in ReasonCode.objects.filter(code__in=codes, active=True)} if codes else {}
    )

    moves: list[tuple[int, TakedownCase, str, dict, ReasonCode | None, datetime]] = []
    changed_cases: dict[int, tuple[TakedownCase, str, int]] = {}  # pk -> (case, old state, version)
    results = [False] * len(decisions)
    for index, decision in enumerate(decisions):
        case = locked.get(decision.case.pk)
        try:
            if case is None:  # deleted since the caller read it
                raise _stale(decision.case)
            if (decision.case.state, decision.case.version) != (case.state, case.version):
                raise _stale(case)
            if decision.to_state != case.state:
                at = decision.at or now
                _rule, reason, at = _check_transition(
                    case=case,
                    to_state=decision.to_state,
                    actor=actor,
                    note=decision.note,
                    reason_code=decision.reason_code,
                    at=at,
                    facts=CaseFacts(
                        last_event_at=lambda pk=case.pk: last_at.get(pk),
                        item_outcomes=lambda pk=case.pk: [
                            i["outcome"] for i in items_of.get(pk, [])
                        ],
                        resolve_reason=lambda code: _resolve_reason(code, reasons),
                    ),
                )
            fields = _platform_changes(
                case, actor, {name: getattr(decision, name) for name in PLATFORM_FIELDS}
            )
            if decision.to_state != case.state:
                moves.append((index, case, decision.to_state, fields, reason, at))
            elif fields:
                moves.append((index, case, case.state, fields, None, None))
        except (ValidationError, PermissionDenied) as error:
            errors[index] = error
    if errors:
        raise DecisionsRefused(errors)

    events: list[StatusEvent] = []
    items_changed: dict[int, dict] = {}
    case_fields = {"state", "version", "updated_at"}
    for index, case, to_state, fields, reason, at in moves:
        changed_cases[case.pk] = (case, case.state, case.version)
        if at is not None:  # a move, not only platform fields
            from_state = case.state
            for name, value in _transition_changes(case, to_state, at).items():
                setattr(case, name, value)
                case_fields.add(name)
            for only_outcome, item_fields in _item_effects(from_state, to_state, at):
                for item in items_of.get(case.pk, []):
                    if only_outcome is None or item["outcome"] == only_outcome:
                        item.update(item_fields)
                        items_changed[item["id"]] = item
            events.append(
                StatusEvent(
                    case=case,
                    from_state=from_state,
                    to_state=to_state,
                    actor=actor,
                    at=at,
                    reason_code=reason,
                    note=decisions[index].note or "",
                )
            )
            case.state = to_state
        for name, value in fields.items():
            setattr(case, name, value)
            case_fields.add(name)
        case.version += 1
        case.updated_at = now
        results[index] = True

    case_fields = sorted(case_fields)
    for chunk in _chunks(list(changed_cases.values())):
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
    for chunk in _chunks(list(items_changed.values())):
        _update_rows(
            InfringingItem,
            ITEM_EFFECT_FIELDS,
            [(item["id"], *(item[name] for name in ITEM_EFFECT_FIELDS)) for item in chunk],
        )
    StatusEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    _history_rows_from_table(
        TakedownCase,
        [case for case, _s, _v in changed_cases.values()],
        actor=actor,
        change_reason=change_reason,
    )
    # The callers' copies follow the cases they passed in.
    for index, decision in enumerate(decisions):
        if results[index]:
            fresh = locked[decision.case.pk]
            for field in TakedownCase._meta.concrete_fields:
                setattr(decision.case, field.attname, getattr(fresh, field.attname))
    return results


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


# --- items -----------------------------------------------------------------------------------

#: DIP edits the case's content (and adds, changes or removes items) only before forwarding,
#: and the content (not the items) again while answering the platform's information request.
ITEM_EDIT_STATES = frozenset({S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD})
CASE_EDIT_STATES = ITEM_EDIT_STATES | {S.INFO_REQUESTED}
#: Evidence may be added until the platform decides.
EVIDENCE_ADD_STATES = PRE_DECISION_STATES


def item_find_open_duplicate(*, url: str, exclude_pk=None) -> InfringingItem | None:
    from takedowns.normalize import normalize_url

    try:
        normalized = normalize_url(url)
    except ValueError:
        return None
    qs = InfringingItem.objects.filter(normalized_url=normalized, is_open=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("case").first()


def item_kind_for_url(url: str) -> str:
    """The kind of item a (normalised) TikTok link points to; a product listing when unsure."""
    path = urlsplit(url).path.lower()
    if path.endswith("/live") or "/live/" in path:
        return ItemKind.LIVE
    if "/video/" in path:
        return ItemKind.VIDEO
    if "/product/" in path:
        return ItemKind.LISTING
    if "/shop" in path or "/store/" in path:
        return ItemKind.SHOP
    if re.fullmatch(r"/@[^/]+", path):
        return ItemKind.ACCOUNT
    return ItemKind.LISTING


@transaction.atomic
def item_add(*, case: TakedownCase, actor, url: str, kind: str, **fields) -> InfringingItem:
    """Add an item to a case that DIP still edits; a URL already open elsewhere is refused."""
    if case.state not in ITEM_EDIT_STATES and not actor.is_superuser:
        raise ValidationError(
            _("Items can be added only while DIP prepares the case."), code="case_locked"
        )
    if not _has(actor, "add_infringingitem"):
        raise PermissionDenied(_("Your role may not add items."))
    item = InfringingItem(case=case, url=url, kind=kind, **fields)
    item.full_clean()  # duplicates: ValidationError with a link to the open case
    return item_save(item=item)


class ItemRaceDuplicate(ValidationError):
    """``item_save`` lost the race for a URL: the duplicate check's message, found on writing."""


def item_save(*, item: InfringingItem) -> InfringingItem:
    """Save a new or changed item (its checks already passed): the one place items are written.

    Two people reporting the same URL at once both pass the duplicate check; the database's
    unique index lets one of them in. The other gets the duplicate check's own message (a
    ValidationError with code ``duplicate``), not an IntegrityError.
    """
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        duplicate = item_find_open_duplicate(url=item.url, exclude_pk=item.pk)
        if duplicate is None:
            raise  # not the open-URL constraint
        if item._state.adding:
            item.pk = None  # the failed INSERT took no row
        raise ItemRaceDuplicate(
            {"url": ValidationError(DuplicateItemError.message_for(duplicate.case), "duplicate")}
        ) from None
    return item


ITEM_OUTCOMES_BY_STATE = {
    S.UNDER_PLATFORM_REVIEW: {
        ItemOutcome.REMOVED,
        ItemOutcome.NOT_REMOVED,
        ItemOutcome.ALREADY_UNAVAILABLE,
    },
    S.APPEALED: {ItemOutcome.REMOVED, ItemOutcome.REINSTATED},
}


def item_check_outcome(
    *,
    case: TakedownCase,
    outcome: str,
    actor,
    reason_code: str | ReasonCode | None = "",
    note: str = "",
    at: datetime | None = None,
) -> ReasonCode | None:
    """What ``item_record_outcome`` checks, without writing; returns the resolved reason code."""
    if not _has(actor, PERM_PLATFORM):
        raise PermissionDenied(_("Only the platform records item decisions."))
    allowed = ITEM_OUTCOMES_BY_STATE.get(case.state, set())
    if outcome not in allowed:
        raise ValidationError(
            _("Outcome “%(outcome)s” cannot be recorded while the case is “%(state)s”.")
            % {
                "outcome": ItemOutcome(outcome).label if outcome in ItemOutcome else outcome,
                "state": S(case.state).label,
            },
            code="illegal_item_outcome",
        )
    reason = _resolve_reason(reason_code)
    if outcome in (ItemOutcome.NOT_REMOVED, ItemOutcome.REINSTATED) and reason is None:
        raise ValidationError(_("Choose a reason code."), code="reason_required")
    if reason and reason.note_required and not (note or "").strip():
        raise ValidationError(_("Write a note for this step."), code="note_required")
    if at and at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("The time of a step cannot be in the future."), code="future_time")
    return reason


@transaction.atomic
def item_record_outcome(
    *,
    item: InfringingItem,
    outcome: str,
    actor,
    reason_code: str | ReasonCode | None = "",
    note: str = "",
    at: datetime | None = None,
    roll_up: bool = True,
    change_reason: str = "",
) -> InfringingItem:
    """Record the platform's decision on one item (with a row in its audit history); when every
    item is decided (and ``roll_up``), the case moves to the decision they add up to (removed,
    partially removed, ...).
    """
    at = at or timezone.now()
    case = TakedownCase.objects.select_for_update().get(pk=item.case_id)
    reason = item_check_outcome(
        case=case, outcome=outcome, actor=actor, reason_code=reason_code, note=note, at=at
    )
    InfringingItem.objects.filter(pk=item.pk).update(
        outcome=outcome, outcome_reason=reason, outcome_at=at
    )
    item.outcome, item.outcome_reason, item.outcome_at = outcome, reason, at
    audit_history_write(objects=[item], actor=actor, change_reason=change_reason)
    StatusEvent.objects.create(
        case=case,
        item=item,
        from_state=case.state,
        to_state=case.state,
        item_outcome=outcome,
        actor=actor,
        at=at,
        reason_code=reason,
        note=note,
    )
    if roll_up and case.state == S.UNDER_PLATFORM_REVIEW:
        decision = rolled_up_state(case.items.values_list("outcome", flat=True))
        if decision:
            if decision == S.NOT_REMOVED and not (reason and reason.fits(ReasonUse.REFUSAL)):
                reason = (
                    ReasonCode.objects.filter(
                        pk__in=case.items.filter(outcome=ItemOutcome.NOT_REMOVED).values(
                            "outcome_reason"
                        ),
                        use__in=[ReasonUse.ANY, ReasonUse.REFUSAL],
                    )
                    .order_by("pk")
                    .first()
                )
            case_transition(
                case=case,
                to_state=decision,
                actor=actor,
                note=note or _("All items decided."),
                reason_code=reason if decision == S.NOT_REMOVED else "",
                at=at,
                change_reason=change_reason,
            )
    return item


# --- repeat infringers -----------------------------------------------------------------------


def seller_counts_refresh(*, handles: Iterable[str] | None = None) -> int:
    """Recount the cases of each seller handle (all handles when ``handles`` is None).

    Runs after item writes (signals) and after bulk loads; returns the number of handles written.
    """
    items = InfringingItem.objects.exclude(seller_handle="")
    if handles is not None:
        handles = {h for h in handles if h}
        if not handles:
            return 0
        items = items.filter(seller_handle__in=handles)
    counts = {
        row["seller_handle"]: row
        for row in items.values("seller_handle").annotate(
            n=Count("case", distinct=True), last=_max_created()
        )
    }
    rows = [
        PlatformSeller(handle=h, case_count=row["n"], last_reported_at=row["last"])
        for h, row in counts.items()
    ]
    stale = PlatformSeller.objects.filter(case_count__gt=0)
    if handles is not None:
        stale = stale.filter(handle__in=handles - set(counts))
    else:
        stale = stale.exclude(handle__in=list(counts))
    stale.update(case_count=0)
    PlatformSeller.objects.bulk_create(
        rows,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["handle"],
        update_fields=["case_count", "last_reported_at"],
    )
    if handles is None:  # after a bulk load: link items that were inserted without a seller
        InfringingItem.objects.filter(seller__isnull=True).exclude(seller_handle="").update(
            seller=Subquery(
                PlatformSeller.objects.filter(handle=OuterRef("seller_handle")).values("pk")[:1]
            )
        )
    return len(rows)


def _max_created():
    from django.db.models import Max

    return Max("created_at")


REPEAT_INFRINGER_MIN_CASES = 3


def repeat_infringer_handles(*, min_cases: int = REPEAT_INFRINGER_MIN_CASES):
    """A subquery of the handles seen in at least ``min_cases`` cases."""
    return PlatformSeller.objects.filter(case_count__gte=min_cases).values("handle")


# --- SLA -------------------------------------------------------------------------------------


def overdue_cases(*, now: datetime | None = None, queryset=None):
    """Forwarded cases still waiting for a decision after their SLA (paused ones excluded)."""
    now = now or timezone.now()
    queryset = TakedownCase.objects.all() if queryset is None else queryset
    return queryset.filter(state__in=[S.FORWARDED, S.UNDER_PLATFORM_REVIEW], sla_due_at__lt=now)


def case_flag_overdue(*, now: datetime | None = None) -> list[int]:
    """Flag every case past its SLA and e-mail its liaison once; returns the flagged ids.

    Each case is claimed with a conditional UPDATE, so two workers never alert twice.
    """
    now = now or timezone.now()
    flagged = []
    candidates = overdue_cases(now=now).filter(sla_breached=False).values_list("pk", flat=True)
    for pk in list(candidates[:1000]):
        claimed = TakedownCase.objects.filter(pk=pk, sla_breached=False).update(
            sla_breached=True, sla_notified_at=now
        )
        if claimed:
            flagged.append(pk)
            case = TakedownCase.objects.select_related("assigned_liaison").get(pk=pk)
            transaction.on_commit(lambda case=case: case_send_overdue_email(case=case))
    return flagged


def _liaison_recipients(case: TakedownCase) -> list[str]:
    if case.assigned_liaison and case.assigned_liaison.email:
        return [case.assigned_liaison.email]
    User = get_user_model()
    return list(
        User.objects.filter(groups__name=LIAISON, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def case_send_overdue_email(*, case: TakedownCase) -> int:
    recipients = _liaison_recipients(case)
    if not recipients:
        logger.warning("Overdue case %s has no liaison to alert", case.reference)
        return 0
    due = timezone.localtime(case.sla_due_at).strftime("%Y-%m-%d %H:%M")
    subject = f"[MOU Portal] Overdue takedown case {case.reference}"
    body = (
        f"Case {case.reference} ({case.title}) was forwarded on "
        f"{timezone.localtime(case.forwarded_at):%Y-%m-%d %H:%M} and the platform's decision was "
        f"due by {due} (Asia/Bangkok).\n"
        f"IPPC ticket: {case.ippc_ticket_id or '-'}\n"
        f"Priority: {case.priority}\n\n"
        "Please record the decision in the portal."
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


# --- evidence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    original_name: str


def evidence_check_file(*, file) -> CheckedFile:
    """Check type (extension and content) and size; hash the bytes. Raises ValidationError."""
    file_type = check_upload(file, EVIDENCE_TYPES)
    name = getattr(file, "name", "") or ""
    size = file.size
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return CheckedFile(
        file_type.content_type, size, digest.hexdigest(), name.rsplit("/", 1)[-1][:255]
    )


def evidence_attach(
    *,
    case: TakedownCase,
    file,
    actor,
    captured_at: datetime,
    kind: str,
    item: InfringingItem | None = None,
    description: str = "",
):
    """Attach a checked file to a case; a bad file raises ValidationError and nothing is kept."""
    from takedowns.models import Evidence

    checked = evidence_check_file(file=file)
    evidence = Evidence(
        case=case,
        item=item,
        kind=kind,
        file=file,
        captured_at=captured_at,
        description=description,
        uploaded_by=actor,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    evidence.full_clean(exclude=["file"])
    evidence.save()
    return evidence


def user_is_platform(user) -> bool:
    """The TikTok liaison: records platform decisions and is not DIP."""
    return (
        not user.is_superuser
        and user.has_perm(f"{APP}.{PERM_PLATFORM}")
        and not user.has_perm(f"{APP}.{PERM_DIP}")
    )


#: DIP's internal steps before forwarding: the platform's view of a case's log starts after them.
DIP_INTERNAL_STATES = (S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD)


def events_visible_to(*, user, queryset=None):
    """The status events ``user`` sees of the cases they see: the liaison (the admin's case page
    and events list, the API's event feed) the log from forwarding on, not DIP's internal review.
    """
    queryset = StatusEvent.objects.all() if queryset is None else queryset
    if user_is_platform(user):
        return queryset.exclude(to_state__in=DIP_INTERNAL_STATES)
    return queryset


def cases_visible_to(*, user, queryset=None):
    """The cases ``user`` may see: the liaison only those that reached the platform."""
    from takedowns.choices import PLATFORM_VISIBLE_STATES

    queryset = TakedownCase.objects.all() if queryset is None else queryset
    if user.is_superuser or user.has_perm(f"{APP}.{PERM_DIP}"):
        return queryset
    if user.has_perm(f"{APP}.{PERM_PLATFORM}"):
        return queryset.filter(
            Q(state__in=PLATFORM_VISIBLE_STATES) | Q(state=S.WITHDRAWN, forwarded_at__isnull=False)
        )
    if user.has_perm(f"{APP}.view_takedowncase"):
        return queryset
    return queryset.none()


def rights_visible_to(*, user, queryset=None):
    """The protected rights ``user`` may see: the liaison only those its visible cases rely on
    (``cases_visible_to``), so neither the rights list nor a right's certificate shows it the
    rights of DIP's drafts or of cases never forwarded."""
    queryset = ProtectedRight.objects.all() if queryset is None else queryset
    if not user_is_platform(user):
        return queryset
    return queryset.filter(pk__in=cases_visible_to(user=user).values("right_id"))
