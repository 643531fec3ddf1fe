"""Monitoring sweeps: turning a finding into a draft case, and the sweep figures.

A finding becomes a case only through ``finding_create_case``, which uses the same services as
every other case (``transitions.case_create`` and ``case_items.item_add``), so the duplicate URL check,
the permissions and the creation log are the ones every case gets. A refusal raises
``ValidationError`` (with a ``code``) or ``PermissionDenied`` and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from portal.dates import local_date
from takedowns import case_items, transitions
from takedowns.choices import InfringementType, ReporterBasis, RightType
from takedowns.models import MonitoringSweep, SweepFinding, TakedownCase

#: The infringement type a finding's case starts with, by the type of the right concerned.
INFRINGEMENT_BY_RIGHT = {
    RightType.GI: InfringementType.GI_MISUSE,
    RightType.TRADEMARK: InfringementType.COUNTERFEIT,
    RightType.COPYRIGHT: InfringementType.COPYRIGHT,
    RightType.DESIGN: InfringementType.DESIGN,
    RightType.PATENT: InfringementType.PATENT,
}


class FindingDuplicateError(ValidationError):
    """The finding's URL is already an item of an open case (``case``)."""

    def __init__(self, case: TakedownCase):
        self.case = case
        super().__init__(
            _("The URL of this finding is already reported in open case %(ref)s.")
            % {"ref": case.reference},
            code="duplicate",
        )


def finding_can_create_case(*, actor) -> bool:
    return bool(
        actor
        and actor.is_active
        and actor.has_perm("takedowns.add_takedowncase")
        and actor.has_perm("takedowns.add_infringingitem")
        and actor.has_perm("takedowns.change_sweepfinding")
    )


@transaction.atomic
def finding_create_case(*, finding: SweepFinding, actor) -> TakedownCase:
    """Make a draft case from ``finding``: its URL, seller handle and right, reported by ``actor``.

    Raises PermissionDenied, or ValidationError with ``code``: already_converted, right_missing,
    reporter_email_missing, duplicate (a ``FindingDuplicateError`` naming the open case).
    """
    if not finding_can_create_case(actor=actor):
        raise PermissionDenied(_("Your role may not create cases from findings."))
    finding = (
        SweepFinding.objects.select_for_update(of=("self",))
        .select_related("sweep", "right__owner", "case")
        .get(pk=finding.pk)
    )
    if finding.case_id:
        raise ValidationError(
            _("This finding is already case %(ref)s.") % {"ref": finding.case.reference},
            code="already_converted",
        )
    if finding.right_id is None:
        raise ValidationError(
            _("Choose the right concerned before turning the finding into a case."),
            code="right_missing",
        )
    if not actor.email:
        raise ValidationError(
            _("Your account has no e-mail address; a report needs the reporter's e-mail."),
            code="reporter_email_missing",
        )
    duplicate = case_items.item_find_open_duplicate(url=finding.url)
    if duplicate is not None:
        raise FindingDuplicateError(duplicate.case)

    right = finding.right
    sweep = finding.sweep
    who = f"@{finding.seller_handle}" if finding.seller_handle else finding.normalized_url
    case = TakedownCase(
        title=f"{right.name}: {who}"[:300],
        description=_("Found in monitoring sweep %(ref)s on %(day)s.\n%(observed)s")
        % {"ref": sweep.reference, "day": local_date(sweep.swept_on), "observed": finding.observed},
        rights_holder=right.owner,
        right=right,
        infringement_type=INFRINGEMENT_BY_RIGHT.get(right.right_type, InfringementType.OTHER),
        reporter_name=(actor.get_full_name() or actor.get_username())[:200],
        reporter_email=actor.email,
        reporter_basis=ReporterBasis.DIP_MONITORING,
        assigned_officer=actor,
    )
    case.full_clean(exclude=["reference"])
    transitions.case_create(case=case, actor=actor)
    case_items.item_add(
        case=case,
        actor=actor,
        url=finding.url,
        kind=finding.kind,
        seller_handle=finding.seller_handle,
    )
    finding.case = case
    finding._history_user = actor  # the finding's audit history says who turned it into a case
    finding.save(update_fields=["case"])
    return case


# --- figures (the dashboard reads these; each one is a database aggregate) -----------------------


@dataclass(frozen=True)
class CaseSourceFigures:
    cases: int
    decided: int
    removed: int

    @property
    def removal_rate(self) -> float | None:
        """Removed (wholly or partly) among the cases the platform decided."""
        return self.removed / self.decided if self.decided else None


def sweeps_per_month(*, queryset=None) -> list[dict]:
    """``[{"month": date, "sweeps": n, "findings": n, "minutes": n}]``, oldest month first."""
    queryset = MonitoringSweep.objects.all() if queryset is None else queryset
    sweeps = {
        row["month"]: row
        for row in queryset.annotate(month=TruncMonth("swept_on"))
        .values("month")
        .annotate(sweeps=Count("id"), minutes=Sum("minutes_spent"))
        .order_by("month")
    }
    findings = dict(
        SweepFinding.objects.filter(sweep__in=queryset.values("pk"))
        .annotate(month=TruncMonth("sweep__swept_on"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return [
        {
            "month": month,
            "sweeps": row["sweeps"],
            "findings": findings.get(month, 0),
            "minutes": row["minutes"] or 0,
        }
        for month, row in sweeps.items()
    ]


def findings_per_sweep(*, queryset=None) -> float | None:
    """The average number of findings per sweep (None without sweeps)."""
    queryset = MonitoringSweep.objects.all() if queryset is None else queryset
    sweeps = queryset.count()
    if not sweeps:
        return None
    return SweepFinding.objects.filter(sweep__in=queryset.values("pk")).count() / sweeps


def cases_by_source() -> dict[str, CaseSourceFigures]:
    """Cases from sweeps vs cases from rights holders, with their removal rates (one query)."""
    from_sweep = Q(sweep_finding__isnull=False)
    decided = Q(decided_at__isnull=False)
    removed = Q(removed_at__isnull=False)
    row = TakedownCase.objects.aggregate(
        sweep_cases=Count("id", filter=from_sweep),
        sweep_decided=Count("id", filter=from_sweep & decided),
        sweep_removed=Count("id", filter=from_sweep & removed),
        all_cases=Count("id"),
        all_decided=Count("id", filter=decided),
        all_removed=Count("id", filter=removed),
    )
    return {
        "sweeps": CaseSourceFigures(row["sweep_cases"], row["sweep_decided"], row["sweep_removed"]),
        "rights_holders": CaseSourceFigures(
            row["all_cases"] - row["sweep_cases"],
            row["all_decided"] - row["sweep_decided"],
            row["all_removed"] - row["sweep_removed"],
        ),
    }
