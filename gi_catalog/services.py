"""Writes that are workflows. The onboarding state machine lives here and only here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gi_catalog.choices import OnboardingStatus as S
from gi_catalog.models import OnboardingApplication, OnboardingStep
from portal.signals import rows_written

#: Allowed moves: no step can be skipped; rejected, withdrawn and live are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.SUBMITTED, S.WITHDRAWN),
    S.SUBMITTED: (S.DOCUMENTS_VERIFIED, S.REJECTED, S.WITHDRAWN),
    S.DOCUMENTS_VERIFIED: (S.SHOP_APPROVED, S.REJECTED, S.WITHDRAWN),
    S.SHOP_APPROVED: (S.LIVE, S.REJECTED, S.WITHDRAWN),
    S.LIVE: (),
    S.REJECTED: (),
    S.WITHDRAWN: (),
}

#: The date field each target state stamps.
STEP_DATE_FIELD = {
    S.SUBMITTED: "submitted_at",
    S.DOCUMENTS_VERIFIED: "documents_verified_at",
    S.SHOP_APPROVED: "shop_approved_at",
    S.LIVE: "live_at",
    S.REJECTED: "closed_at",
    S.WITHDRAWN: "closed_at",
}

DOCUMENT_CHECKLIST = ("has_identity_document", "has_gi_certificate", "has_bank_account")


def application_transition(
    *,
    application: OnboardingApplication,
    to_status: str,
    actor,
    reason: str = "",
    note: str = "",
) -> OnboardingApplication:
    """Move ``application`` from the status it was read in to ``to_status``.

    Raises ValidationError (and changes nothing) for a move the table does not allow, a rejection
    without a reason, an incomplete document checklist before ``documents_verified``, or when
    someone else moved the application since it was read: the UPDATE is conditional on the old
    status and version, so of two people moving it from the same state exactly one succeeds.
    """
    from_status = application.status
    to_label = S(to_status).label if to_status in S.values else to_status
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise ValidationError(
            _("%(application)s: cannot move from “%(from)s” to “%(to)s”.")
            % {
                "application": application.seller,
                "from": application.get_status_display(),
                "to": to_label,
            },
            code="invalid_transition",
        )
    reason = reason.strip()
    if to_status == S.REJECTED and not reason:
        raise ValidationError(
            _("%(application)s: a rejection needs a reason.") % {"application": application.seller},
            code="reason_required",
        )

    conditions = {"pk": application.pk, "status": from_status, "version": application.version}
    if to_status == S.DOCUMENTS_VERIFIED:
        # Checked in the same UPDATE, so a checklist unticked meanwhile cannot slip through.
        conditions.update(dict.fromkeys(DOCUMENT_CHECKLIST, True))

    now = timezone.now()
    changes = {
        "status": to_status,
        "version": F("version") + 1,
        STEP_DATE_FIELD[to_status]: now,
        "updated_at": now,
    }
    if to_status == S.REJECTED:
        changes["rejection_reason"] = reason

    with transaction.atomic():
        updated = OnboardingApplication.objects.filter(**conditions).update(**changes)
        if updated:
            rows_written.send(sender=OnboardingApplication)  # an UPDATE: no save signal
        if updated != 1:
            current = OnboardingApplication.objects.filter(pk=application.pk).first()
            if (
                to_status == S.DOCUMENTS_VERIFIED
                and current is not None
                and (current.status, current.version) == (from_status, application.version)
            ):
                missing = [
                    str(OnboardingApplication._meta.get_field(name).verbose_name)
                    for name in DOCUMENT_CHECKLIST
                    if not getattr(current, name)
                ]
                raise ValidationError(
                    _(
                        "%(application)s: the document checklist is not complete (missing: %(missing)s)."
                    )
                    % {"application": application.seller, "missing": ", ".join(missing)},
                    code="documents_missing",
                )
            raise ValidationError(
                _(
                    "%(application)s was changed by someone else in the meantime "
                    "(it is now “%(status)s”). Reload the page and try again."
                )
                % {
                    "application": application.seller,
                    "status": current.get_status_display() if current else "—",
                },
                code="concurrent_change",
            )
        OnboardingStep.objects.create(
            application_id=application.pk,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            at=now,
            note=reason if to_status == S.REJECTED else note,
        )
        application.refresh_from_db()
        OnboardingApplication.history.bulk_history_create(
            [application],
            update=True,
            default_user=actor,
            default_change_reason=f"{S(from_status).label} → {S(to_status).label}",
            default_date=now,
        )
    return application


def applications_transition(
    *, applications, to_status: str, actor, reason: str = ""
) -> list[OnboardingApplication]:
    """Move several applications at once: all of them, or (on any refusal) none of them."""
    errors = []
    moved = []
    with transaction.atomic():
        for application in applications:
            try:
                moved.append(
                    application_transition(
                        application=application, to_status=to_status, actor=actor, reason=reason
                    )
                )
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
    return moved
