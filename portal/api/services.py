"""Writes of the platform integration app: API tokens and idempotency keys.

Case and item decisions are not made here: they go through ``takedowns.transitions``, the one place
that holds the state machine and who may move a case.
"""

import hashlib
import json
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.api.models import ApiToken, IdempotencyKey
from portal.roles import is_platform_user

#: How long a stored answer is replayed for a retried key.
IDEMPOTENCY_RETENTION = timedelta(hours=24)


def api_token_issue(*, user, name: str, lifetime_days: int, issued_by) -> tuple[ApiToken, str]:
    """Issue a token to a liaison; returns the row and the token, which is never stored.

    Only a platform-only account (``is_platform_user``: the Liaison group and no DIP role) may
    hold one: a user who is also DIP would read DIP's drafts over the API."""
    if not user.is_active or not is_platform_user(user):
        message = _("Only an active TikTok Liaison account with no DIP role may hold an API token.")
        raise ValidationError({"user": ValidationError(message, code="not_liaison")})
    if not 1 <= lifetime_days <= 366:
        message = _("A token lives 1 to 366 days.")
        raise ValidationError({"lifetime": ValidationError(message, code="lifetime")})
    return ApiToken.objects.create(
        user=user, expiry=timedelta(days=lifetime_days), name=name, issued_by=issued_by
    )


def api_token_revoke(*, token: ApiToken, revoked_by) -> bool:
    """Revoke a token (kept for the audit trail); False when it was already revoked."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.revoked_by = revoked_by
        locked.save(update_fields=["revoked_at", "revoked_by"])
    token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
    return True


def idempotency_fingerprint(*, method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def idempotency_key_claim(*, user, key: str, method: str, path: str, fingerprint: str):
    """Within the caller's transaction: claim the key, or return the row that already holds it.

    Returns ``(row, created)``. A concurrent request with the same key waits on the unique index
    until the first one commits, then finds its row.
    """
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_RETENTION
    ).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user, key=key, method=method, path=path, fingerprint=fingerprint
            )
            return row, True
    except IntegrityError:
        return IdempotencyKey.objects.get(user=user, key=key), False


def idempotency_key_store(*, row: IdempotencyKey, status_code: int, response) -> None:
    row.status_code = status_code
    row.response = response
    row.save(update_fields=["status_code", "response"])


def idempotency_keys_purge() -> int:
    """Delete stored answers older than the retention; returns how many."""
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]


# --- decisions: always through takedowns' state machine ------------------------------------------


def case_decision_record(
    *,
    case,
    decision: str,
    actor,
    note: str = "",
    reason_code: str = "",
    reported_at=None,
    ippc_ticket_id: str | None = None,
    change_reason: str = "",
) -> bool:
    """Record the platform's decision on ``case`` (a move, a new ticket id, or both in one write)
    as a batch of one through ``cases_record_decisions``, the state machine's rules and write
    path; it adds the audit-history row in ``actor``'s name.

    ``reported_at`` is the time the platform states it decided: kept beside the step, which
    counts (with every SLA figure) from when the portal received it.

    Returns False and writes nothing when the case already has exactly this decision (and ticket
    id): recording the same decision again is a no-op, not a refusal. Any refusal of the state
    machine (ValidationError with a code, PermissionDenied) propagates unchanged.
    """
    from takedowns.decisions import CaseDecision, DecisionsRefused, cases_record_decisions

    decided = CaseDecision(
        case=case,
        to_state=decision,
        note=note,
        reason_code=reason_code,
        reported_at=reported_at,
        ippc_ticket_id=ippc_ticket_id,
    )
    try:
        (changed,) = cases_record_decisions(
            decisions=[decided], actor=actor, change_reason=change_reason
        )
    except DecisionsRefused as refused:
        raise refused.errors[0] from None
    return changed


def item_decision_record(
    *,
    item,
    outcome: str,
    actor,
    note: str = "",
    reason_code: str = "",
    reported_at=None,
    change_reason: str = "",
) -> bool:
    """Record the platform's outcome for one item through ``item_record_outcome`` (which adds the
    audit-history rows of the item, and of the case when it rolls up); False (and no write) when
    the item already has exactly this outcome."""
    from takedowns.case_items import item_record_outcome

    if item.outcome == outcome:
        return False
    item_record_outcome(
        item=item,
        outcome=outcome,
        actor=actor,
        reason_code=reason_code,
        note=note,
        reported_at=reported_at,
        change_reason=change_reason,
    )
    return True
