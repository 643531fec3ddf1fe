"""Repeat infringers: how many cases each platform seller handle appears in, and who counts as
a repeat infringer."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, OuterRef, Subquery

from takedowns.models import REPEAT_INFRINGER_MIN_CASES, InfringingItem, PlatformSeller


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


def repeat_infringer_handles(*, min_cases: int = REPEAT_INFRINGER_MIN_CASES):
    """A subquery of the handles seen in at least ``min_cases`` cases."""
    return PlatformSeller.objects.filter(case_count__gte=min_cases).values("handle")
