"""Writes of the platform integration app: API tokens and idempotency keys.

Case and item decisions are not made here: they go through ``takedowns.services``, the one place
that holds the state machine and who may move a case.
"""

import hashlib
import json
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.api.models import ApiToken, IdempotencyKey
from portal.roles import LIAISON, user_roles

#: How long a stored answer is replayed for a retried key.
IDEMPOTENCY_RETENTION = timedelta(hours=24)


def api_token_issue(*, user, name: str, lifetime_days: int, issued_by) -> tuple[ApiToken, str]:
    """Issue a token to a liaison; returns the row and the token, which is never stored."""
    if not user.is_active or LIAISON not in user_roles(user):
        message = _("Only an active TikTok Liaison account may hold an API token.")
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
    at=None,
    ippc_ticket_id: str | None = None,
    change_reason: str = "",
    audit: list | None = None,
) -> bool:
    """Record the platform's decision on ``case`` through ``takedowns.services.case_transition``.

    Returns False and writes nothing when the case already has exactly this decision (and ticket
    id): recording the same decision again is a no-op, not a refusal. Any refusal of the state
    machine (ValidationError with a code, PermissionDenied) propagates unchanged.

    A change adds a row to the case's audit history (django-simple-history) in ``actor``'s name,
    as saving the case in the admin does; pass ``audit`` (a list) to collect the cases and write
    their history rows in bulk with ``audit_history_write``.
    """
    from takedowns.services import case_save_fields, case_transition

    new_ticket = ippc_ticket_id is not None and ippc_ticket_id != case.ippc_ticket_id
    if case.state == decision and not new_ticket:
        return False
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return case_decision_record(
                case=case,
                decision=decision,
                actor=actor,
                note=note,
                reason_code=reason_code,
                at=at,
                ippc_ticket_id=ippc_ticket_id,
                change_reason=change_reason,
                audit=audit,
            )
    # Inside the caller's transaction (the API view, the bulk upload), which rolls back on any
    # error: no savepoint of our own, it would cost two statements per decision.
    if case.state != decision:
        case_transition(
            case=case, to_state=decision, actor=actor, note=note, reason_code=reason_code, at=at
        )
    if new_ticket:
        if not actor.has_perm("takedowns.record_platform_decision"):
            raise PermissionDenied(_("Only the platform records its ticket id."))
        case.ippc_ticket_id = ippc_ticket_id
        case_save_fields(case=case, expected_version=case.version, fields=["ippc_ticket_id"])
    if audit is None:
        audit_history_write(objects=[case], actor=actor, change_reason=change_reason)
    else:
        audit.append(case)
    return True


def item_decision_record(
    *,
    item,
    outcome: str,
    actor,
    note: str = "",
    reason_code: str = "",
    at=None,
    change_reason: str = "",
) -> bool:
    """Record the platform's outcome for one item through ``item_record_outcome``; False (and no
    write) when the item already has exactly this outcome. A change adds audit-history rows for
    the item and its case in ``actor``'s name."""
    from takedowns.models import TakedownCase
    from takedowns.services import item_record_outcome

    if item.outcome == outcome:
        return False
    item_record_outcome(
        item=item, outcome=outcome, actor=actor, reason_code=reason_code, note=note, at=at
    )
    case = TakedownCase.objects.get(pk=item.case_id)  # the roll-up may have moved it
    audit_history_write(objects=[item, case], actor=actor, change_reason=change_reason)
    return True


def audit_history_write(*, objects, actor, change_reason: str = "") -> None:
    """One audit-history row per object, as of its state in memory, in ``actor``'s name.

    The state machine writes with conditional UPDATEs (no ``save()``, so no history signal);
    this records the result the way the admin's save of a case does.
    """
    by_model: dict = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for model, rows in by_model.items():
        model.history.bulk_history_create(
            rows,
            batch_size=1000,
            update=True,
            default_user=actor,
            default_change_reason=change_reason[:100],
        )
