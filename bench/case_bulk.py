"""What the case Resource needs for 100,000-row imports: ``bulk_write`` (a proposal).

The job service writes a file in bulk only when that equals saving each row. ``TakedownCase``
numbers itself in ``save()`` and the case Resource logs a "created" event per row in
``after_save_instance``, so the job saves those rows one by one (about ten statements each).
A Resource can instead offer ``bulk_write(created, updated, *, user, change_reason)``; this one
does what those per-row hooks do, for a whole chunk: it reserves the chunk's references with one
statement, inserts cases and their history in bulk and logs the created events in bulk. The
bench measures the project's Resource as it is, and this subclass to show the figure the job
path reaches once ``takedowns/resources.py`` adopts the method.
"""

from collections import defaultdict

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from takedowns.models import CaseReferenceCounter, StatusEvent, TakedownCase
from takedowns.resources import TakedownCaseResource


class BulkTakedownCaseResource(TakedownCaseResource):
    def bulk_write(self, created, updated, *, user, change_reason):
        by_year = defaultdict(list)
        for case in created:
            if not case.reference:
                by_year[timezone.localtime(case.created_at).year].append(case)
        table = connection.ops.quote_name(CaseReferenceCounter._meta.db_table)
        for year, cases in by_year.items():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (year, last_number) VALUES (%s, %s) "
                    f"ON CONFLICT (year) DO UPDATE "
                    f"SET last_number = {table}.last_number + EXCLUDED.last_number "
                    f"RETURNING last_number",
                    [year, len(cases)],
                )
                last = cursor.fetchone()[0]
            for offset, case in enumerate(cases):
                case.reference = f"TD-{year}-{last - len(cases) + 1 + offset:06d}"
        actor = user if getattr(user, "pk", None) else None
        bulk_create_with_history(
            created, TakedownCase, default_user=actor, default_change_reason=change_reason
        )
        StatusEvent.objects.bulk_create(
            StatusEvent(
                case=case,
                from_state="",
                to_state=case.state,
                actor=actor,
                at=case.created_at,
                note="import",
            )
            for case in created
        )
        for case in updated:  # rare in a big file: each through the Resource's own save
            self.save_instance(case, False, {}, user=user)
