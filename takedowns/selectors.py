"""Shared reads of cases: the work queues each role starts its day from."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from takedowns import services
from takedowns.choices import PLATFORM_PENDING_STATES
from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent


def _mine(user) -> Q:
    """Assigned to ``user``, or created by them and assigned to nobody."""
    created = StatusEvent.objects.filter(case=OuterRef("pk"), from_state="", actor=user)
    return Q(assigned_officer=user) | Q(Exists(created), assigned_officer__isnull=True)


@dataclass(frozen=True)
class WorkQueue:
    key: str
    label: str
    permission: str  # a takedowns permission (services.PERM_*): who works this queue
    condition: Callable[[object], Q]

    def applies_to(self, user) -> bool:
        return user.has_perm(f"{services.APP}.{self.permission}")


WORK_QUEUES = (
    WorkQueue(
        "my_drafts", _("My drafts"), services.PERM_DIP, lambda u: Q(state=S.DRAFT) & _mine(u)
    ),
    WorkQueue(
        "my_review",
        _("My cases in DIP review"),
        services.PERM_DIP,
        lambda u: Q(state=S.DIP_REVIEW) & _mine(u),
    ),
    WorkQueue(
        "info_requested",
        _("Information the platform asked for"),
        services.PERM_DIP,
        lambda u: Q(state=S.INFO_REQUESTED),
    ),
    WorkQueue(
        "ready_to_forward",
        _("Ready to forward"),
        services.PERM_FORWARD,
        lambda u: Q(state=S.READY_TO_FORWARD),
    ),
    WorkQueue(
        "awaiting_decision",
        _("Awaiting my decision"),
        services.PERM_PLATFORM,
        lambda u: Q(state__in=PLATFORM_PENDING_STATES),
    ),
)


def work_queues_for(user) -> list[WorkQueue]:
    return [queue for queue in WORK_QUEUES if queue.applies_to(user)]


def work_queue_cases(*, user, key: str, queryset=None):
    """The cases of queue ``key`` that ``user`` sees; none if the queue is not theirs."""
    queryset = services.cases_visible_to(user=user, queryset=queryset)
    for queue in work_queues_for(user):
        if queue.key == key:
            return queryset.filter(queue.condition(user))
    return queryset.none()
