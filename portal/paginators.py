"""Admin paginators for big tables: never a full ``COUNT(*)`` over millions of rows.

``EstimatedCountPaginator`` (set ``paginator = EstimatedCountPaginator`` on a ModelAdmin, with
``show_full_result_count = False``):

- an unfiltered list on PostgreSQL uses the planner's estimate (``pg_class.reltuples``, kept by
  autovacuum/ANALYZE) once the table is larger than ``exact_below``; small tables are counted;
- a filtered list counts at most ``cap`` rows (``SELECT COUNT(*) FROM (... LIMIT cap+1)``) under a
  ``statement_timeout``; when the cap or the timeout is hit the count is reported as ``cap`` so the
  page still renders (the last page links may then be approximate);
- on other databases (SQLite in the quick start) it is a normal count.
"""

from django.core.paginator import Paginator
from django.db import OperationalError, connections, transaction
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    #: Below this estimate the table is small: count it exactly.
    exact_below = 100_000
    #: A filtered count stops after this many rows.
    cap = 10_000
    #: Milliseconds a filtered count may take on PostgreSQL before we give up and report ``cap``.
    timeout_ms = 150

    def _queryset(self):
        return getattr(self.object_list, "query", None) is not None and self.object_list

    @cached_property
    def count(self):
        queryset = self._queryset()
        if queryset is False:
            return len(self.object_list)
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return queryset.count()
        if self._is_unfiltered(queryset):
            estimate = self._estimate(queryset, connection)
            if estimate is not None and estimate >= self.exact_below:
                return estimate
            return queryset.count()
        return self._capped_count(queryset, connection)

    @staticmethod
    def _is_unfiltered(queryset) -> bool:
        query = queryset.query
        return not query.where and not query.distinct and not query.combinator

    @staticmethod
    def _estimate(queryset, connection) -> int | None:
        table = queryset.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table]
            )
            row = cursor.fetchone()
        if not row or row[0] is None or row[0] < 0:  # -1: never analysed
            return None
        return int(row[0])

    def _capped_count(self, queryset, connection) -> int:
        capped = queryset.order_by()[: self.cap + 1]
        # SET LOCAL lasts until the end of the transaction: reset it only when an outer
        # transaction (ATOMIC_REQUESTS, a test) would otherwise carry it on.
        nested = connection.in_atomic_block
        try:
            with transaction.atomic(using=queryset.db):
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL statement_timeout = {int(self.timeout_ms)}")
                count = capped.count()
                if nested:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL statement_timeout = DEFAULT")
        except OperationalError:  # the count took too long: the list is big
            return self.cap
        return min(count, self.cap)
