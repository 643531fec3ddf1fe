from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.dashboard.models import SnapshotScope
from portal.dashboard.services import case_days_refresh, snapshot_take, snapshots_take_all


class Command(BaseCommand):
    help = (
        "Take today's dashboard snapshots and rebuild one per week back to --weeks ago from the "
        "data (so that the trend lines have points). Idempotent: a day's snapshot is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=26)

    def handle(self, *args, weeks, **options):
        today = timezone.localdate()
        case_days_refresh()
        for n in range(weeks, 0, -1):
            for key in SnapshotScope.values:
                snapshot_take(scope_key=key, as_of=today - timedelta(weeks=n), count_cases=False)
        snapshots_take_all()
        self.stdout.write(f"Dashboard snapshots: today and {weeks} earlier weeks")
