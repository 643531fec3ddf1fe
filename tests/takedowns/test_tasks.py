from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from takedowns.choices import CaseState
from takedowns.models import TakedownCase
from takedowns.tasks import flag_overdue_cases

from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db


def test_beat_schedule_runs_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["takedowns-flag-overdue"]
    assert entry["task"] == flag_overdue_cases.name


def test_overdue_case_is_flagged_once_and_the_assigned_liaison_is_emailed(
    role_users, right, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=10)
    liaison = role_users["liaison"]
    overdue = walk(
        make_case(right, created_at=start, assigned_liaison=liaison),
        S.UNDER_PLATFORM_REVIEW,
        role_users,
        start=start,
    )
    on_time = walk(make_case(right), S.FORWARDED, role_users)
    paused_start = timezone.now() - timedelta(days=10)
    paused = walk(
        make_case(right, created_at=paused_start), S.INFO_REQUESTED, role_users, start=paused_start
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_cases.apply().get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [liaison.email]
    assert overdue.reference in message.subject and overdue.reference in message.body
    assert TakedownCase.objects.get(pk=overdue.pk).sla_breached
    assert not TakedownCase.objects.get(pk=on_time.pk).sla_breached
    assert not TakedownCase.objects.get(pk=paused.pk).sla_breached

    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_cases.apply().get() == 0  # already flagged: no second e-mail
    assert len(mail.outbox) == 1


def test_unassigned_overdue_case_emails_every_liaison(
    role_users, right, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=10)
    walk(make_case(right, created_at=start), S.FORWARDED, role_users, start=start)
    with django_capture_on_commit_callbacks(execute=True):
        flag_overdue_cases.apply()
    assert [m.to for m in mail.outbox] == [[role_users["liaison"].email]]
