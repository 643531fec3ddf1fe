"""Issue 24 item 4 and issue 25 item 2: "Recompute now" is a POST with the CSRF token, for the
roles that keep the figures only, one at a time; and the dashboard is never stale: a change that
moves a figure shows on the next page (tasks in place) or within a minute (one queued recompute)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from portal import internals
from portal.choices import TargetMetric
from portal.dashboard import services, tasks
from portal.dashboard.services import figures_changed_at
from portal.models import Target
from tests.dashboard import builders as b

URL = reverse("admin:dashboard")
RECOMPUTE = reverse("admin:dashboard_recompute")


def gi_tiles(response):
    gi = next(s for s in response.context["sections"] if s["key"] == "gi")
    return {tile["key"]: tile["value"] for tile in gi["scalars"]}


@pytest.fixture
def worker_mode(settings, monkeypatch):
    """Tasks go to a worker: record what is queued instead of running it."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks.take_snapshots, "delay", lambda: queued.append("take_snapshots"))
    return queued


def test_dashboard_recompute_a_get_with_refresh_recomputes_nothing(liaison, manager, client_for):
    """On the old main any viewer, the liaison too, forced a full recompute with GET ?refresh=1."""
    snapshot = services.snapshot_take(scope_key="full")
    b.activity(date(2026, 3, 1), gmv="10")  # not committed: no change is known
    for user in (liaison, manager):
        response = client_for(user).get(URL + "?refresh=1")
        assert response.status_code == 200
    assert gi_tiles(response)["promotions"] == 0
    assert response.context["computed_at"].isoformat() == snapshot.figures["computed_at"]


@pytest.mark.parametrize("role", ["manager", "supervisor"])
def test_dashboard_recompute_is_a_post_for_managers_and_supervisors(
    role, role_users, client_for, django_capture_on_commit_callbacks
):
    client = client_for(role_users[role])
    services.snapshot_take(scope_key="full")
    b.activity(date(2026, 3, 1), gmv="10")
    page = client.get(URL).content.decode()
    assert f'action="{RECOMPUTE}"' in page and "?refresh=1" not in page
    response = client.post(RECOMPUTE + "?date_from=2026-01-01&junk=1")
    assert response.status_code == 302
    assert response["Location"] == URL + "?date_from=2026-01-01"
    assert gi_tiles(client.get(URL))["promotions"] == 1


@pytest.mark.parametrize("role", ["officer", "liaison"])
def test_dashboard_recompute_is_refused_to_officers_and_the_liaison(role, role_users, client_for):
    client = client_for(role_users[role])
    assert f'action="{RECOMPUTE}"' not in client.get(URL).content.decode()
    assert client.post(RECOMPUTE).status_code == 403
    assert figures_changed_at() is None


def test_dashboard_recompute_needs_the_csrf_token_and_a_post(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post(RECOMPUTE).status_code == 403
    assert client.get(RECOMPUTE).status_code == 405
    assert figures_changed_at() is None


def test_dashboard_recompute_one_at_a_time_however_often_pressed(
    manager, supervisor, client_for, worker_mode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(manager).post(RECOMPUTE, follow=True)
        second = client_for(supervisor).post(RECOMPUTE, follow=True)
    assert worker_mode == ["take_snapshots"]
    assert "within a minute" in str(list(first.context["messages"])[0]) or first.status_code == 200
    assert len(list(second.context["messages"])) == 1
    services.snapshots_take_all()  # the worker ran it; pressing again within the minute: nothing
    with django_capture_on_commit_callbacks(execute=True):
        client_for(manager).post(RECOMPUTE)
    assert worker_mode == ["take_snapshots"]


def test_dashboard_never_stale_a_target_edit_shows_on_the_next_page(
    supervisor, manager, client_for, django_capture_on_commit_callbacks
):
    """On the old main a target edit did not show until "recompute now" was pressed."""
    with django_capture_on_commit_callbacks(execute=True):
        target = b.target(TargetMetric.PROMOTION_ACTIVITIES, 200)
    services.snapshot_take(scope_key="full")
    change = reverse("admin:portal_target_change", args=[target.pk])
    form = client_for(supervisor).get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["target_value"] = "150"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(supervisor).post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Target.objects.get(pk=target.pk).target_value == 150
    rows = client_for(manager).get(URL).context["targets"]
    assert [row["target"] for row in rows] == [150]


def test_dashboard_never_stale_with_a_worker_changes_queue_one_recompute(
    manager, client_for, worker_mode, django_capture_on_commit_callbacks
):
    services.snapshot_take(scope_key="full")
    with django_capture_on_commit_callbacks(execute=True) as committed:
        for _ in range(9):
            b.activity(date(2026, 3, 1), gmv="10")
    notices = [c for c in committed if isinstance(c, services.FiguresChangeNotice)]
    assert len(notices) == 1  # once per transaction, not once per row
    with django_capture_on_commit_callbacks(execute=True):
        b.activity(date(2026, 3, 2), gmv="10")  # another transaction, while one is queued
        response = client_for(manager).get(URL)
    assert worker_mode == ["take_snapshots"]
    assert gi_tiles(response)["promotions"] == 0  # the older figures until the worker has run
    tasks.take_snapshots()  # what the worker does
    assert gi_tiles(client_for(manager).get(URL))["promotions"] == 10


def test_dashboard_never_stale_bulk_import_writes_still_count_and_stay_bulk(
    db, django_capture_on_commit_callbacks
):
    """Rows an import job writes in bulk send ``rows_written``; the dashboard's receiver does not
    make the job save them one by one."""
    assert not internals.has_save_receivers_besides_history(Target)
    from portal.signals import rows_written

    with django_capture_on_commit_callbacks(execute=True):
        rows_written.send(sender=Target)
    assert figures_changed_at() is not None


def test_dashboard_never_stale_nine_forwards_show_on_the_next_page(
    supervisor, manager, client_for, django_capture_on_commit_callbacks
):
    """On the old main nine forwards did not show until "recompute now" was pressed: the
    transitions write with bulk UPDATEs, which send no save signal."""
    with django_capture_on_commit_callbacks(execute=True):
        ready = []
        for _ in range(9):
            case = b.case(b.at(date(2026, 3, 1)), "@seller")
            ready.append(
                b.move(
                    case,
                    supervisor,
                    ("dip_review", b.at(date(2026, 3, 1), 11)),
                    ("ready_to_forward", b.at(date(2026, 3, 1), 12)),
                )
            )
    services.snapshot_take(scope_key="full")
    takedowns = client_for(manager).get(URL).context["sections"]
    before = next(s for s in takedowns if s["key"] == "takedowns")["scalars"]
    assert {tile["key"]: tile["value"] for tile in before}["forwarded"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        client_for(supervisor).post(
            reverse("admin:takedowns_takedowncase_changelist"),
            {
                "action": "forward_selected",
                "_selected_action": [c.pk for c in ready],
                "post": "yes",  # confirmed
            },
        )
    sections = client_for(manager).get(URL).context["sections"]
    after = next(s for s in sections if s["key"] == "takedowns")["scalars"]
    assert {tile["key"]: tile["value"] for tile in after}["forwarded"] == 9
