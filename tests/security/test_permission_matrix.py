"""Every admin URL of every registered model x every role -> the answer the role declarations give.

Generated from ``admin.site._registry`` and the apps' ``role_permissions`` (portal.roles), so a model
added later is checked without anyone writing a test for it. For each model and role it requests
the list, add, change, delete and history pages and, where the admin has them, import and export,
with GET and with crafted POSTs, and checks that a refused POST changed nothing.

Where an admin is deliberately stricter than the declaration (a log that nobody edits, rows added
only inside their parent), the difference must be listed in STRICTER with its reason; an admin
that is looser than the declaration always fails.
"""

import json
import uuid
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from import_export.admin import ExportMixin, ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR, declared_permissions
from tests.security.builders import build

pytestmark = pytest.mark.django_db

ROLES = {"officer": OFFICER, "supervisor": SUPERVISOR, "liaison": LIAISON, "manager": MANAGER}
CAST = [*ROLES, "outsider", "anonymous"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "permission-matrix"

# (model label, role, page) -> why the admin refuses what the declaration grants.
STRICTER: dict[tuple[str, str, str], str] = {}
for _page in ("add", "add-post", "delete", "delete-post", "import", "import-post"):
    STRICTER[("portal.Province", "*", _page)] = "reference data from ISO 3166-2, never typed"
for _role in ("officer", "supervisor"):
    for _page in ("add", "add-post", "change-post", "delete", "delete-post"):
        STRICTER[("takedowns.StatusEvent", _role, _page)] = "the case log is append-only"
# Object-level scope: the generated row is a draft case, which the platform never sees.
for _label in (
    "takedowns.TakedownCase",
    "takedowns.InfringingItem",
    "takedowns.Evidence",
    "takedowns.StatusEvent",
):
    for _page in ("change", "change-post", "history", "delete", "delete-post"):
        STRICTER[(_label, "liaison", _page)] = "the liaison sees only cases forwarded to it"
    for _page in ("export", "import", "import-post"):
        STRICTER[(_label, "liaison", _page)] = "the platform does not bulk-export DIP's cases"
for _page in ("change", "change-post", "history"):
    STRICTER[("takedowns.ProtectedRight", "liaison", _page)] = (
        "the liaison sees only the rights of cases forwarded to it"
    )
    STRICTER[("api.DecisionUpload", "liaison", _page)] = "a liaison sees only their own uploads"
for _page in ("add", "add-post", "change-post", "delete", "delete-post"):
    STRICTER[("takedowns.InfringingItem", "*", _page)] = "items are edited inside their case"
for _page in ("change-post",):
    STRICTER[("takedowns.Evidence", "*", _page)] = "evidence is immutable once attached"
for _page in ("delete", "delete-post"):
    STRICTER[("takedowns.ReasonCode", "*", _page)] = "events refer to reason codes: deactivate"
    STRICTER[("jobs.Job", "*", _page)] = "the generated job is still running"

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def expected_rules(model, model_admin, role):
    """page -> the permission actions that allow it (any of them)."""
    rules = {
        "changelist": ("view", "change"),
        "add": ("add",),
        "add-post": ("add",),
        "change": ("view", "change"),
        "change-post": ("change",),
        "delete": ("delete",),
        "delete-post": ("delete",),
    }
    if isinstance(model_admin, SimpleHistoryAdmin):
        rules["history"] = ("view", "change")
    if isinstance(model_admin, ImportMixin):
        rules["import"] = ("add",)
        rules["import-post"] = ("add",)
    if isinstance(model_admin, ExportMixin):
        rules["export"] = ("view",)
    return rules


_DECLARED = declared_permissions()


def granted(model, role, actions) -> bool:
    if role not in ROLES:
        return False
    perms = _DECLARED[ROLES[role]]
    meta = model._meta
    return any((meta.app_label, f"{action}_{meta.model_name}") in perms for action in actions)


def url_for(model, page, obj):
    meta = model._meta
    name = {
        "changelist": "changelist",
        "add": "add",
        "add-post": "add",
        "change": "change",
        "change-post": "change",
        "delete": "delete",
        "delete-post": "delete",
        "history": "history",
        "import": "import",
        "import-post": "import",
        "export": "export",
    }[page]
    args = [obj.pk] if name in {"change", "delete", "history"} else []
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{name}", args=args)


def answer(response, page, row_gone=False) -> str:
    """'allowed', 'refused', or 'login' (anonymous sent to the login page)."""
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and "/login/" in location:
        return "login"
    if page == "delete-post" and status in (200, 302):
        return "allowed" if row_gone else "refused"
    if status in (403, 404, 405):
        return "refused"
    if status == 302 and location.rstrip("/").endswith("/admin"):
        return "refused"  # the admin hides a row outside the user's queryset
    if status in (200, 302, 400):  # 400: allowed in, but the crafted input was refused
        return "allowed"
    raise AssertionError(f"{page}: unexpected status {status}")


def request(client, model, page, obj):
    url = url_for(model, page, obj)
    if page == "delete-post":
        return client.post(url, {"post": "yes"})
    if page.endswith("-post"):
        return client.post(url, {"_crafted": "1"})
    return client.get(url)


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_every_admin_url_answers_every_role_as_declared(model, role_users, client):
    model_admin = admin.site._registry[model]
    obj = build(model)
    mismatches, checked = [], 0
    for role in CAST:
        rules = expected_rules(model, model_admin, role)
        client.logout()
        if role != "anonymous":
            client.force_login(role_users[role])
        for page, actions in rules.items():
            with transaction.atomic():
                before_rows = model._base_manager.count()
                before = model._base_manager.filter(pk=obj.pk).values().first()
                try:
                    response = request(client, model, page, obj)
                    gone = not model._base_manager.filter(pk=obj.pk).exists()
                    got = answer(response, page, row_gone=gone)
                except NoReverseMatch:
                    transaction.set_rollback(True)
                    continue
                want = (
                    "login"
                    if role == "anonymous"
                    else ("allowed" if granted(model, role, actions) else "refused")
                )
                reason = STRICTER.get((model._meta.label, role, page)) or STRICTER.get(
                    (model._meta.label, "*", page)
                )
                if want == "allowed" and reason:
                    want = "refused"
                after = model._base_manager.filter(pk=obj.pk).values().first()
                unchanged = after == before and model._base_manager.count() == before_rows
                if page.endswith("-post") and want == "refused" and got == "allowed" and unchanged:
                    got = "refused"  # a read-only page answered the POST and changed nothing
                checked += 1
                if got != want:
                    mismatches.append(f"{role:10} {page:12} expected {want}, got {got}")
                if got == "refused" and page.endswith("-post") and not unchanged:
                    mismatches.append(f"{role:10} {page:12} was refused but changed data")
                transaction.set_rollback(True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{model._meta.label}.json").write_text(json.dumps({"pairs": checked}))
    assert not mismatches, f"{model._meta.label}:\n" + "\n".join(mismatches)


def _site_urls():
    """The admin site's own pages (not a model's): name -> (method, actions that allow it)."""
    model_prefixes = {f"{m._meta.app_label}_{m._meta.model_name}_" for m in MODELS}
    names = []
    for pattern in admin.site.get_urls():
        name = getattr(pattern, "name", None)
        if name and not any(name.startswith(prefix) for prefix in model_prefixes):
            names.append(name)
    return names


DASHBOARD = ("dashboard.view_dashboard", "dashboard.view_takedown_dashboard")
SITE_PAGES = {
    # name: (method, url kwargs, permissions of which any one allows, expected refusal for others)
    "index": ("GET", {}, None),
    "dashboard": ("GET", {}, DASHBOARD),
    "dashboard_recompute": ("POST", {}, ("dashboard.recompute_dashboard",)),
    "dashboard_report": ("POST", {}, DASHBOARD),
    "dashboard_report_job": ("GET", {"job_id": uuid.uuid4()}, DASHBOARD),
    "dashboard_report_download": ("GET", {"job_id": uuid.uuid4()}, DASHBOARD),
    "two_factor_setup": ("GET", {}, None),
}
NOT_PAGES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}


def test_every_site_page_has_an_expectation():
    unknown = set(_site_urls()) - set(SITE_PAGES) - NOT_PAGES
    assert not unknown, f"add these admin site pages to SITE_PAGES: {sorted(unknown)}"


@pytest.mark.parametrize("name", sorted(SITE_PAGES))
def test_site_pages_answer_every_role(name, role_users, client):
    method, kwargs, perms = SITE_PAGES[name]
    try:
        url = reverse(f"admin:{name}", kwargs=kwargs)
    except NoReverseMatch:
        pytest.skip(f"admin:{name} is not installed")
    mismatches, checked = [], 0
    for role in CAST:
        client.logout()
        if role != "anonymous":
            client.force_login(role_users[role])
        response = client.post(url, {}) if method == "POST" else client.get(url)
        got = answer(response, name)
        if role == "anonymous":
            want = "login"
        elif perms is None:
            want = "allowed"
        else:
            user = role_users[role]
            want = "allowed" if any(user.has_perm(p) for p in perms) else "refused"
            if want == "allowed" and "job_id" in kwargs:
                want = "refused"  # a job id that does not exist is a 404 for everyone
        checked += 1
        if got != want:
            mismatches.append(f"{role:10} expected {want}, got {got} ({response.status_code})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"site.{name}.json").write_text(json.dumps({"pairs": checked}))
    assert not mismatches, f"admin:{name}:\n" + "\n".join(mismatches)
