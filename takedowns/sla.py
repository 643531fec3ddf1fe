"""The platform's deadline (SLA) on a forwarded case: when it is due, which cases are overdue,
and the one alert to the liaison when a case passes it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.roles import LIAISON
from portal.signals import rows_written
from portal.workdays import add_working_days
from takedowns.choices import PRIORITIES_WITHIN_24H, SLA_RUNNING_STATES
from takedowns.models import TakedownCase

logger = logging.getLogger(__name__)


SLA_HOURS_URGENT = 24
SLA_WORKING_DAYS = 3


def case_sla_due(*, forwarded_at: datetime, priority: str) -> datetime:
    """When the platform's decision is due: 24 h for high/urgent, else 3 Thai working days."""
    if priority in PRIORITIES_WITHIN_24H:
        return forwarded_at + timedelta(hours=SLA_HOURS_URGENT)
    return add_working_days(forwarded_at, SLA_WORKING_DAYS)


def overdue_cases(*, now: datetime | None = None, queryset=None):
    """Forwarded cases still waiting for a decision after their SLA (paused ones excluded); one
    case's answer is ``TakedownCase.is_overdue``."""
    now = now or timezone.now()
    queryset = TakedownCase.objects.all() if queryset is None else queryset
    return queryset.filter(state__in=SLA_RUNNING_STATES, sla_due_at__lt=now)


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
            rows_written.send(sender=TakedownCase)  # an UPDATE: no save signal
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
