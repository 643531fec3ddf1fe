"""The child records of a case and what may be done to them in each state of the case (one rule
for every path that writes them), then its infringing items: adding and editing them (one open
report per URL) and recording each item's outcome."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from takedowns.choices import PRE_DECISION_STATES, ItemKind, ItemOutcome, ReasonUse
from takedowns.choices import CaseState as S
from takedowns.models import (
    DuplicateItemError,
    Evidence,
    InfringingItem,
    ReasonCode,
    StatusEvent,
    TakedownCase,
)
from takedowns.transitions import (
    FUTURE_TOLERANCE,
    PERM_DIP,
    PERM_PLATFORM,
    REVIEW_IMPLIED_FROM,
    CaseFacts,
    actor_has,
    audit_history_write,
    case_transition,
    check_reported_at,
    last_stated_at,
    resolve_reason,
    rolled_up_state,
)

#: DIP edits the case's content (and adds, changes or removes items) only before forwarding,
#: and the content (not the items) again while answering the platform's information request.
ITEM_EDIT_STATES = frozenset({S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD})
CASE_EDIT_STATES = ITEM_EDIT_STATES | {S.INFO_REQUESTED}


#: Evidence may be added until the platform decides.
EVIDENCE_ADD_STATES = PRE_DECISION_STATES


# --- the rule for a case's child records ------------------------------------------------------


@dataclass(frozen=True)
class ChildRule:
    """In which states of its case DIP may add, change or delete one kind of child record."""

    states: frozenset
    refusal: Promise  # the message, with the case's ``ref`` and ``state``


#: The case page's rule for the records of a case, which every path that writes them applies
#: (the case page's inlines, the records' own admin pages and their delete actions, imports):
#: items are DIP's while it prepares the case; evidence may be added until the platform decides,
#: removed only while DIP prepares the case, and is never changed (it is kept as uploaded). The
#: status log is append-only and the platform's item outcomes follow ``ITEM_OUTCOMES_BY_STATE``.
CHILD_RULES = {
    (InfringingItem, "add"): ChildRule(
        ITEM_EDIT_STATES,
        gettext_lazy("Case %(ref)s is “%(state)s”: items can no longer be added."),
    ),
    (InfringingItem, "change"): ChildRule(
        ITEM_EDIT_STATES,
        gettext_lazy("Case %(ref)s is “%(state)s”: its items can no longer be changed."),
    ),
    (InfringingItem, "delete"): ChildRule(
        ITEM_EDIT_STATES,
        gettext_lazy("Case %(ref)s is “%(state)s”: its items can no longer be removed."),
    ),
    (Evidence, "add"): ChildRule(
        EVIDENCE_ADD_STATES,
        gettext_lazy("Case %(ref)s is “%(state)s”: evidence can no longer be added."),
    ),
    (Evidence, "change"): ChildRule(
        frozenset(),
        gettext_lazy("Evidence is kept as uploaded: remove it and upload the file again."),
    ),
    (Evidence, "delete"): ChildRule(
        ITEM_EDIT_STATES,
        gettext_lazy("Case %(ref)s is “%(state)s”: its evidence can no longer be removed."),
    ),
}


def child_role_may(*, actor, model, action: str) -> bool:
    """Whether ``actor``'s role may ``action`` (add, change, delete) ``model`` records of a case at
    all: DIP's roles (who see every case) with the model's permission; never the platform or a
    manager."""
    return actor_has(actor, PERM_DIP) and actor_has(actor, f"{action}_{model._meta.model_name}")


def child_may(*, case: TakedownCase, model, action: str, actor) -> bool:
    """Whether ``actor`` may ``action`` a ``model`` record of ``case`` in the state ``case`` has
    (an unsaved case is a draft); for showing what may be done. Writes use ``child_check``."""
    rule = CHILD_RULES[(model, action)]
    return case.state in rule.states and child_role_may(actor=actor, model=model, action=action)


def child_check(*, case: TakedownCase, model, action: str, actor) -> None:
    """Refuse, unless ``actor`` may ``action`` a ``model`` record of ``case`` now: the case's
    state is read again and its row locked until the transaction ends, so the case cannot move
    (forwarding, a decision) between this check and the write. Raises PermissionDenied for a role
    that may not, ValidationError (code ``case_locked``) for a state that does not allow it."""
    if not child_role_may(actor=actor, model=model, action=action):
        raise PermissionDenied(_("Your role may not add, change or remove a case's records."))
    if case.pk is not None:
        current = (
            TakedownCase.objects.select_for_update()
            .filter(pk=case.pk)
            .values_list("state", flat=True)
            .first()
        )
        if current is None:
            raise ValidationError(_("The case no longer exists."), code="case_missing")
        case.state = current
    rule = CHILD_RULES[(model, action)]
    if case.state not in rule.states:
        raise ValidationError(
            rule.refusal % {"ref": case.reference, "state": S(case.state).label},
            code="case_locked",
        )


# --- infringing items ---------------------------------------------------------------------------


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
    child_check(case=case, model=InfringingItem, action="add", actor=actor)
    item = InfringingItem(case=case, url=url, kind=kind, **fields)
    item.full_clean()  # duplicates: ValidationError with a link to the open case
    return item_save(item=item)


@transaction.atomic
def item_delete(*, item: InfringingItem, actor) -> None:
    """Remove an item from a case that DIP still edits."""
    child_check(case=item.case, model=InfringingItem, action="delete", actor=actor)
    item.delete()


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


#: The states in which the case page takes item outcomes.
ITEM_OUTCOME_PAGE_STATES = frozenset({*ITEM_OUTCOMES_BY_STATE, REVIEW_IMPLIED_FROM})


def item_check_outcome(
    *,
    case: TakedownCase,
    outcome: str,
    actor,
    reason_code: str | ReasonCode | None = "",
    note: str = "",
    at: datetime | None = None,
    review_implied: bool = False,
    reported_at: datetime | None = None,
    facts: CaseFacts | None = None,
) -> ReasonCode | None:
    """What ``item_record_outcome`` checks, without writing; returns the resolved reason code.
    ``review_implied``: a forwarded case is checked as the review ``case_begin_review`` starts.
    ``facts``: what the checks read of the case (``items_record_outcomes`` reads it for a whole
    batch); else a query each."""
    if not actor_has(actor, PERM_PLATFORM):
        raise PermissionDenied(_("Only the platform records item decisions."))
    state = case.state
    if review_implied and state == REVIEW_IMPLIED_FROM:
        state = S.UNDER_PLATFORM_REVIEW
    allowed = ITEM_OUTCOMES_BY_STATE.get(state, set())
    if outcome not in allowed:
        raise ValidationError(
            _("Outcome “%(outcome)s” cannot be recorded while the case is “%(state)s”.")
            % {
                "outcome": ItemOutcome(outcome).label if outcome in ItemOutcome else outcome,
                "state": S(state).label,
            },
            code="illegal_item_outcome",
        )
    reason = facts.resolve_reason(reason_code) if facts else resolve_reason(reason_code)
    if outcome in (ItemOutcome.NOT_REMOVED, ItemOutcome.REINSTATED) and reason is None:
        raise ValidationError(_("Choose a reason code."), code="reason_required")
    if reason and reason.note_required and not (note or "").strip():
        raise ValidationError(_("Write a note for this step."), code="note_required")
    if at and at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("The time of a step cannot be in the future."), code="future_time")
    if reported_at is not None:
        last = facts.last_stated_at() if facts else last_stated_at(case)
        check_reported_at(reported_at, last)
    return reason


def roll_up_reason(reason: ReasonCode | None, item_reasons) -> ReasonCode | None:
    """The reason of a case whose items add up to "not removed": the last item decision's own
    when it is a refusal reason, else the first refusal reason (by id) among ``item_reasons``
    (the reasons of the items recorded as not removed)."""
    if reason and reason.fits(ReasonUse.REFUSAL):
        return reason
    refusals = [r for r in item_reasons if r.use in (ReasonUse.ANY, ReasonUse.REFUSAL)]
    return min(refusals, key=lambda r: r.pk, default=None)


def roll_up_note(note: str) -> str:
    """The note of the case's step when its items add up to a decision."""
    return note or _("All items decided.")


def case_begin_review(*, case: TakedownCase, actor) -> bool:
    """Take a forwarded case under platform review (through ``case_transition``) before its
    items' decisions are recorded; returns whether it moved."""
    if case.state != REVIEW_IMPLIED_FROM:
        return False
    case_transition(
        case=case,
        to_state=S.UNDER_PLATFORM_REVIEW,
        actor=actor,
        note=_("Review started with the decisions on the items."),
    )
    return True


@transaction.atomic
def item_record_outcome(
    *,
    item: InfringingItem,
    outcome: str,
    actor,
    reason_code: str | ReasonCode | None = "",
    note: str = "",
    at: datetime | None = None,
    reported_at: datetime | None = None,
    roll_up: bool = True,
    change_reason: str = "",
) -> InfringingItem:
    """Record the platform's decision on one item (with a row in its audit history); when every
    item is decided (and ``roll_up``), the case moves to the decision they add up to (removed,
    partially removed, ...). ``reported_at``: the platform's stated time (``stated_time``).
    """
    at = at or timezone.now()
    case = TakedownCase.objects.select_for_update().get(pk=item.case_id)
    reason = item_check_outcome(
        case=case,
        outcome=outcome,
        actor=actor,
        reason_code=reason_code,
        note=note,
        at=at,
        reported_at=reported_at,
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
        reported_at=reported_at,
        reason_code=reason,
        note=note,
    )
    if roll_up and case.state == S.UNDER_PLATFORM_REVIEW:
        decision = rolled_up_state(case.items.values_list("outcome", flat=True))
        if decision:
            if decision == S.NOT_REMOVED:
                reason = roll_up_reason(
                    reason,
                    ReasonCode.objects.filter(
                        pk__in=case.items.filter(outcome=ItemOutcome.NOT_REMOVED).values(
                            "outcome_reason"
                        )
                    ),
                )
            case_transition(
                case=case,
                to_state=decision,
                actor=actor,
                note=roll_up_note(note),
                reason_code=reason if decision == S.NOT_REMOVED else "",
                at=at,
                reported_at=reported_at,
                change_reason=change_reason,
            )
    return item
