from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.choices import TargetMetric
from portal.dashboard import services
from portal.dashboard.models import Snapshot
from portal.dashboard.selectors import Scope
from portal.dashboard.tasks import take_snapshots
from portal.dates import local_date
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db
URL = reverse("admin:dashboard")


def test_the_beat_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-snapshots"]
    assert entry["task"] == take_snapshots.name


def test_the_task_keeps_one_snapshot_per_day_and_scope():
    b.activity(date(2026, 3, 1), gmv="10")
    take_snapshots.apply()
    b.activity(date(2026, 3, 2), gmv="5")
    take_snapshots.apply()
    assert Snapshot.objects.count() == 2
    full = Snapshot.objects.get(scope="full")
    assert full.day == timezone.localdate()
    assert full.figures["sections"]["gi"]["gmv"] == 15.0  # the later run replaced the earlier
    platform = Snapshot.objects.get(scope="platform")
    assert set(platform.figures["sections"]) == {"takedowns"}


def test_page_reads_a_fresh_snapshot_and_shows_its_time(
    manager, client_for, django_capture_on_commit_callbacks
):
    snapshot = services.snapshot_take(scope_key="full")
    response = client_for(manager).get(URL)
    assert response.context["computed_at"].isoformat() == snapshot.figures["computed_at"]
    gi = next(s for s in response.context["sections"] if s["key"] == "gi")
    assert {tile["key"]: tile["value"] for tile in gi["scalars"]}["promotions"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        b.activity(date(2026, 3, 1), gmv="10")  # committed: the snapshot is stale now
    response = client_for(manager).get(URL)
    gi = next(s for s in response.context["sections"] if s["key"] == "gi")
    assert {tile["key"]: tile["value"] for tile in gi["scalars"]}["promotions"] == 1


def test_a_stale_snapshot_is_replaced(manager, client_for):
    snapshot = services.snapshot_take(scope_key="full")
    Snapshot.objects.filter(pk=snapshot.pk).update(
        taken_at=timezone.now() - services.SNAPSHOT_MAX_AGE - timedelta(minutes=1)
    )
    b.activity(date(2026, 3, 1), gmv="10")
    response = client_for(manager).get(URL)
    gi = next(s for s in response.context["sections"] if s["key"] == "gi")
    assert {tile["key"]: tile["value"] for tile in gi["scalars"]}["promotions"] == 1
    assert Snapshot.objects.filter(scope="full").count() == 1


def test_the_snapshot_path_costs_few_queries(manager, client_for, django_assert_max_num_queries):
    client = client_for(manager)
    client.get(URL)
    services.snapshot_take(scope_key="full")
    for n in range(20):
        b.activity(date(2026, 3, 1 + n), gmv="1")
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200


def test_snapshots_kept_over_time_draw_the_trend(manager, liaison, client_for):
    target = b.target(TargetMetric.PROMOTION_ACTIVITIES, 10, name="activities")
    for days_ago, activities in ((2, 1), (1, 3)):
        for _ in range(activities - Snapshot.objects.count()):
            b.activity(date(2026, 3, 1), gmv="1")
        snapshot = services.snapshot_take(scope_key="full")
        Snapshot.objects.filter(pk=snapshot.pk).update(
            day=timezone.localdate() - timedelta(days=days_ago)
        )
    response = client_for(manager).get(URL)
    trend = response.context["charts"]["trend"]
    assert trend["labels"][:2] == [  # in the reader's calendar (Buddhist era in Thai)
        local_date(timezone.localdate() - timedelta(days=d)) for d in (2, 1)
    ]
    series = {s["label"]: s["data"] for s in trend["series"]}
    assert series[target.name][:2] == [10.0, 30.0]
    assert 'id="section-trend"' in response.content.decode()

    services.snapshot_take(scope_key="platform")
    liaison_trend = client_for(liaison).get(URL).context["charts"]["trend"]
    assert "activities" not in {s["label"] for s in liaison_trend["series"]}


def test_filtered_views_are_cached_until_a_change(django_capture_on_commit_callbacks):
    scope = Scope(date_from=date(2026, 1, 1))
    first = services.figures_get(scope=scope)
    assert services.figures_get(scope=scope) == first
    with django_capture_on_commit_callbacks(execute=True):
        b.activity(date(2026, 3, 1), gmv="10")
    assert services.figures_get(scope=scope)["sections"]["gi"]["promotions"] == 1


def test_with_a_worker_a_stale_snapshot_is_shown_while_one_recompute_is_queued(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from portal.dashboard import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks.take_snapshots, "delay", lambda: queued.append("all"))
    snapshot = services.snapshot_take(scope_key="full")
    Snapshot.objects.filter(pk=snapshot.pk).update(
        taken_at=timezone.now() - services.SNAPSHOT_MAX_AGE - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = services.figures_get(scope=Scope())
        second = services.figures_get(scope=Scope())
    assert first == second == snapshot.figures  # the older figures, with their own time
    assert queued == ["all"]  # one recompute, not one per request
    services.snapshots_take_all()  # the worker's run releases the lock
    with django_capture_on_commit_callbacks(execute=True):
        services.figures_get(scope=Scope())
    assert queued == ["all"]  # fresh again: nothing to queue


def test_demo_command_rebuilds_weekly_points_from_the_data(manager, client_for):
    from django.core.management import call_command

    today = timezone.localdate()
    target = b.target(TargetMetric.PROMOTION_ACTIVITIES, 10, start=date(2025, 1, 1), name="acts")
    b.activity(today - timedelta(weeks=2, days=1), gmv="1")
    b.activity(today - timedelta(days=1), gmv="1")
    call_command("demo_dashboard", weeks=3, verbosity=0)
    call_command("demo_dashboard", weeks=3, verbosity=0)  # idempotent
    assert Snapshot.objects.filter(scope="full").count() == 4
    points = {
        s.day: s.figures["trend"]["targets"][str(target.pk)]
        for s in Snapshot.objects.filter(scope="full")
    }
    assert [points[today - timedelta(weeks=n)] for n in (3, 2, 1, 0)] == [0.0, 10.0, 10.0, 20.0]
    # The page shows today's figures, not a rebuilt earlier day.
    response = client_for(manager).get(URL)
    assert timezone.localtime(response.context["computed_at"]).date() == timezone.localdate()
    assert response.context["targets"][0]["actual"] == 2
