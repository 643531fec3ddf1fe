"""Shared reads of cases: who sees which cases and events, and the work queues each role starts
its day from."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from portal.roles import is_platform_user
from takedowns.choices import PLATFORM_PENDING_STATES, PLATFORM_VISIBLE_STATES
from takedowns.choices import CaseState as S
from takedowns.models import ProtectedRight, StatusEvent, TakedownCase
from takedowns.transitions import APP, PERM_DIP, PERM_FORWARD, PERM_PLATFORM

#: DIP's internal steps before forwarding: the platform's view of a case's log starts after them.
DIP_INTERNAL_STATES = (S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD)


def platform_sees_step(*, case, to_state: str) -> bool:
    """Whether the liaison will see a step of ``case`` to ``to_state`` (and its note) in the log:
    steps from forwarding on, of a case that reached the platform (``cases_visible_to``)."""
    reaches_platform = case.forwarded_at is not None or to_state == S.FORWARDED
    return reaches_platform and to_state not in DIP_INTERNAL_STATES


def events_visible_to(*, user, queryset=None):
    """The status events ``user`` sees of the cases they see: the liaison (the admin's case page
    and events list, the API's event feed) the log from forwarding on, not DIP's internal review.
    """
    queryset = StatusEvent.objects.all() if queryset is None else queryset
    if is_platform_user(user):
        return queryset.exclude(to_state__in=DIP_INTERNAL_STATES)  # platform_sees_step
    return queryset


#: The cases the platform sees: those that reached it (a case withdrawn after forwarding too).
PLATFORM_VISIBLE_CASES = Q(state__in=PLATFORM_VISIBLE_STATES) | Q(
    state=S.WITHDRAWN, forwarded_at__isnull=False
)


def cases_visible_to(*, user, queryset=None):
    """The cases ``user`` may see: the liaison only those that reached the platform."""
    queryset = TakedownCase.objects.all() if queryset is None else queryset
    if user.is_superuser or user.has_perm(f"{APP}.{PERM_DIP}"):
        return queryset
    if user.has_perm(f"{APP}.{PERM_PLATFORM}"):
        return queryset.filter(PLATFORM_VISIBLE_CASES)
    if user.has_perm(f"{APP}.view_takedowncase"):
        return queryset
    return queryset.none()


def rights_visible_to(*, user, queryset=None):
    """The protected rights ``user`` may see: the liaison only those its visible cases rely on
    (``cases_visible_to``), so neither the rights list nor a right's certificate shows it the
    rights of DIP's drafts or of cases never forwarded."""
    queryset = ProtectedRight.objects.all() if queryset is None else queryset
    if not is_platform_user(user):
        return queryset
    return queryset.filter(pk__in=cases_visible_to(user=user).values("right_id"))


def _mine(user) -> Q:
    """Assigned to ``user``, or created by them and assigned to nobody."""
    created = StatusEvent.objects.filter(case=OuterRef("pk"), from_state="", actor=user)
    return Q(assigned_officer=user) | Q(Exists(created), assigned_officer__isnull=True)


@dataclass(frozen=True)
class WorkQueue:
    key: str
    label: str
    permission: str  # a takedowns permission (PERM_*): who works this queue
    condition: Callable[[object], Q]

    def applies_to(self, user) -> bool:
        return user.has_perm(f"{APP}.{self.permission}")


WORK_QUEUES = (
    WorkQueue("my_drafts", _("My drafts"), PERM_DIP, lambda u: Q(state=S.DRAFT) & _mine(u)),
    WorkQueue(
        "my_review",
        _("My cases in DIP review"),
        PERM_DIP,
        lambda u: Q(state=S.DIP_REVIEW) & _mine(u),
    ),
    WorkQueue(
        "info_requested",
        _("Information the platform asked for"),
        PERM_DIP,
        lambda u: Q(state=S.INFO_REQUESTED),
    ),
    WorkQueue(
        "awaiting_my_review",
        _("Awaiting my review"),
        PERM_FORWARD,
        lambda u: Q(state=S.DIP_REVIEW) & ~_mine(u),  # what others sent for review
    ),
    WorkQueue(
        "ready_to_forward",
        _("Ready to forward"),
        PERM_FORWARD,
        lambda u: Q(state=S.READY_TO_FORWARD),
    ),
    WorkQueue(
        "awaiting_decision",
        _("Awaiting my decision"),
        PERM_PLATFORM,
        lambda u: Q(state__in=PLATFORM_PENDING_STATES),
    ),
)


@dataclass(frozen=True)
class InfoExchange:
    """The platform's request for more information and DIP's answer (None while unanswered)."""

    request: StatusEvent
    answer: StatusEvent | None


def case_info_exchanges(*, case) -> list[InfoExchange]:
    """The case's information requests with their answers, oldest first (both sides see them:
    they happen after forwarding, ``events_visible_to``)."""
    events = (
        case.events.filter(Q(to_state=S.INFO_REQUESTED) | Q(from_state=S.INFO_REQUESTED))
        .exclude(from_state=F("to_state"))
        .select_related("actor", "reason_code")
        .order_by("at", "id")
    )
    exchanges: list[InfoExchange] = []
    for event in events:
        if event.to_state == S.INFO_REQUESTED:
            exchanges.append(InfoExchange(event, None))
        elif exchanges and exchanges[-1].answer is None:
            exchanges[-1] = InfoExchange(exchanges[-1].request, event)
    return exchanges


def with_open_info_request(queryset):
    """``queryset`` with ``info_request_note``: the note of each case's latest information
    request (the officer's queue shows what the platform asked)."""
    latest = StatusEvent.objects.filter(case=OuterRef("pk"), to_state=S.INFO_REQUESTED).order_by(
        "-at", "-id"
    )
    return queryset.annotate(info_request_note=Subquery(latest.values("note")[:1]))


def work_queues_for(user) -> list[WorkQueue]:
    return [queue for queue in WORK_QUEUES if queue.applies_to(user)]


def work_queue_cases(*, user, key: str, queryset=None):
    """The cases of queue ``key`` that ``user`` sees; none if the queue is not theirs."""
    queryset = cases_visible_to(user=user, queryset=queryset)
    for queue in work_queues_for(user):
        if queue.key == key:
            return queryset.filter(queue.condition(user))
    return queryset.none()
