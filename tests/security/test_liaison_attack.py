"""Issue 16, attacker audit: the liaison tries every way to DIP's private data (and issue 24:
every role tries to write a case's records past the case's rules, or to report an open listing
again under another spelling of its URL).

DIP's private data here is a set of marked strings: a draft case (never forwarded) and everything
on it, and on a forwarded case the reporter's phone and position, the internal note, the assigned
officer, what the case said before it was forwarded and DIP's review notes. Signed in as the
liaison, the test walks every admin page it can reach by links, plus the addresses an attacker
would craft (change-list lookups, search and ordering, every history page, the autocomplete
endpoint for every relation, file downloads, exports, dashboard reports, the decision sheet's
error messages, the REST API with its filters) and checks that no response, whatever its format
(HTML, JSON, CSV, XLSX or ZIP), holds any of the marked strings.
"""

import io
import re
import zipfile
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.api.bulk import COLUMNS
from portal.roles import OFFICER
from takedowns.choices import CaseState
from takedowns.models import (
    Evidence,
    InfringingItem,
    ProtectedRight,
    RightsHolder,
    StatusEvent,
    TakedownCase,
)
from tests.api.conftest import api_as, token_for  # noqa: F401 (fixtures)
from tests.conftest import _make_user
from tests.takedowns.admin_helpers import new_case_data
from tests.takedowns.conftest import holder, make_case, right, walk  # noqa: F401 (fixtures)

S = CaseState
pytestmark = pytest.mark.django_db

SECRETS = {
    "draft title": "Draft-title-7Q1",
    "draft reporter": "draft-reporter-7Q2@example.org",
    "draft item": "draft-item-7Q3",
    "draft right": "Draft-only-right-7Q4",
    "draft holder": "Draft-only-holder-7Q5",
    "draft evidence": "draft-evidence-7Q6",
    "reporter phone": "0867-7Q7",
    "reporter position": "Position-7Q8",
    "internal note": "Internal-note-7Q9",
    "officer": "officer-name-7QA",
    "title before forwarding": "Title-before-forwarding-7QB",
    "DIP review note": "Review-note-7QC",
}
PDF = b"%PDF-1.7\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def stage(settings, tmp_path, right, holder, role_users, django_user_model):  # noqa: F811
    """A draft case and a forwarded case carrying the marked strings; returns them."""
    settings.MEDIA_ROOT = tmp_path
    draft_holder = RightsHolder.objects.create(name=SECRETS["draft holder"], kind=holder.kind)
    draft_right = ProtectedRight.objects.create(
        right_type=right.right_type,
        name=SECRETS["draft right"],
        registration_number="7Q4",
        owner=draft_holder,
        certificate=default_storage.save("takedowns/certificates/d.pdf", ContentFile(PDF)),
    )
    draft = make_case(
        draft_right,
        title=SECRETS["draft title"],
        reporter_email=SECRETS["draft reporter"],
        authorization_document=default_storage.save("takedowns/a/d.pdf", ContentFile(PDF)),
    )
    draft.items.update(url=f"https://shop.tiktok.com/view/product/{SECRETS['draft item']}")
    Evidence.objects.create(
        case=draft,
        file=default_storage.save("takedowns/evidence/d.png", ContentFile(PNG)),
        captured_at="2026-11-20T10:00:00+07:00",
        original_name=f"{SECRETS['draft evidence']}.png",
        content_type="image/png",
        size=len(PNG),
        sha256="d" * 64,
    )
    officer = _make_user(django_user_model, SECRETS["officer"], OFFICER)
    forwarded = make_case(
        right,
        title=SECRETS["title before forwarding"],
        reporter_phone=SECRETS["reporter phone"],
        reporter_position=SECRETS["reporter position"],
        internal_note=SECRETS["internal note"],
        assigned_officer=officer,
        authorization_document=default_storage.save("takedowns/a/f.pdf", ContentFile(PDF)),
    )
    forwarded.title = "Fake rice"
    forwarded.save()
    walk(forwarded, S.UNDER_PLATFORM_REVIEW, role_users)
    StatusEvent.objects.filter(
        case=forwarded, to_state__in=(S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD)
    ).update(note=SECRETS["DIP review note"])
    forwarded.refresh_from_db()
    return draft, forwarded


def texts_of(response) -> str:
    """Every text a response carries, whatever its format."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"\n".join(archive.read(name) for name in archive.namelist())
    text = content.decode("utf-8", errors="replace")
    return unescape(text)


def assert_no_secret(response, where, sent=""):
    """No marked string in the response, except one the attacker sent itself (echoed back)."""
    text = texts_of(response).lower()
    found = [
        name
        for name, secret in SECRETS.items()
        if secret.lower() in text and secret.lower() not in sent.lower()
    ]
    assert not found, f"{where} ({response.status_code}) shows: {found}"
    assert response.status_code < 500, f"{where}: {response.status_code}"


LINK = re.compile(r"""(?:href|src|action)="([^"#]+)""")
SKIP = ("/admin/logout/", "/admin/password_change/", "/i18n/", "/static/", "javascript:")


def crawl(client, start, limit=300):
    """Every admin page the client reaches by links from ``start`` (each checked): pages first,
    then the filtered and sorted lists linked from them (not their own filter combinations)."""
    seen, pages, queries = set(), list(start), []
    while (pages or queries) and len(seen) < limit:
        url = pages.pop(0) if pages else queries.pop(0)
        parts = urlsplit(url)
        if url in seen or not parts.path.startswith(("/admin/", "/files/")) or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        assert_no_secret(response, url)
        if parts.query or not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in LINK.findall(response.content.decode()):
            link = urljoin(url, unescape(link))
            (queries if urlsplit(link).query else pages).append(link)
    return seen


def test_liaison_attack_crawl_finds_no_dip_private_data(stage, client_for, liaison):
    draft, forwarded = stage
    client = client_for(liaison)
    pages = crawl(client, ["/admin/"])
    assert reverse("admin:takedowns_takedowncase_change", args=[forwarded.pk]) in pages
    assert any(page.startswith("/files/") for page in pages)  # the letter was reached


def _model_urls():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield model, model_admin, f"admin:{opts.app_label}_{opts.model_name}"


def test_liaison_attack_crafted_admin_addresses(stage, client_for, liaison):
    """Lookups, search and ordering on every change list; every row's page, history and files;
    exports; the autocomplete of every relation of every model."""
    draft, forwarded = stage
    client = client_for(liaison)
    secret_terms = [SECRETS["internal note"], SECRETS["reporter phone"], "7Q"]
    for model, model_admin, name in _model_urls():
        changelist = reverse(f"{name}_changelist")
        for field in model._meta.get_fields():
            if field.is_relation and getattr(field, "remote_field", None) is not None:
                response = client.get(
                    reverse("admin:autocomplete"),
                    {
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": field.name,
                        "term": "",
                    },
                )
                assert_no_secret(response, f"autocomplete {model._meta.label}.{field.name}")
        if client.get(changelist).status_code == 403:
            continue  # no page of this model is the liaison's (the permission matrix checks it)
        params = [{"q": term} for term in secret_terms]
        params += [{"o": ".".join(str(n) for n in range(1, 12))}, {"o": "-1"}]
        for field in model._meta.concrete_fields:
            params += [{f"{field.name}__icontains": "7Q"}, {f"{field.name}__isnull": "False"}]
            if field.is_relation:
                params.append({f"{field.name}__username__startswith": "officer-name"})
        for query in params:
            response = client.get(changelist, query)
            assert_no_secret(response, f"{changelist}?{query}", sent=str(query))
            if response.status_code == 200 and "cl" in (response.context or {}):
                shown = list(response.context["cl"].result_list)
                if "q" in query and model_admin.search_fields:
                    assert not shown, (changelist, query, shown)
                assert draft not in shown, query
        for obj in model._base_manager.all():
            for page in ("change", "history", "delete"):
                try:
                    url = reverse(f"{name}_{page}", args=[obj.pk])
                except Exception:  # noqa: BLE001  (an admin without that page)
                    continue
                assert_no_secret(client.get(url), url)
            for field in model._meta.concrete_fields:
                if hasattr(field, "file_types"):
                    url = reverse(
                        "file_download",
                        args=[model._meta.app_label, model._meta.model_name, obj.pk, field.name],
                    )
                    assert_no_secret(client.get(url), url)
        for page in ("export", "import"):
            try:
                url = reverse(f"{name}_{page}")
            except Exception:  # noqa: BLE001
                continue
            assert_no_secret(client.get(url), url)
            assert_no_secret(client.post(url, {"format": "0"}), f"POST {url}")


def test_liaison_attack_dashboard_and_reports(stage, client_for, liaison):
    client = client_for(liaison)
    page = client.get(reverse("admin:dashboard"))
    assert page.status_code == 200
    assert_no_secret(page, "dashboard")
    for report_format in ("xlsx", "zip"):
        response = client.post(reverse("admin:dashboard_report"), {"format": report_format})
        assert_no_secret(response, f"report {report_format}")


def test_liaison_attack_decision_sheet_echoes_nothing_hidden(stage, client_for, liaison):
    """Rows naming the draft case and its item get exactly the messages of a reference and a URL
    that never existed, and the row echo shows only what was sent."""
    draft, forwarded = stage
    client = client_for(liaison)

    def errors_for(reference, url):
        lines = [
            ",".join(COLUMNS),
            f"{reference},,,removed,,,",
            f",{url},,removed,,,",
            f"{reference},{url},,removed,,,",
            f"{forwarded.reference},{url},,removed,,,",
        ]
        upload = SimpleUploadedFile("d.csv", "\r\n".join(lines).encode(), "text/csv")
        response = client.post(
            reverse("admin:api_decisionupload_add"), {"file": upload}, follow=True
        )
        assert_no_secret(response, "decision upload", sent="\n".join(lines))
        rows = response.context["rows"]
        return [
            (e["column"], e["message"].replace(reference, "REF").replace(url, "URL"))
            for row in rows
            for e in row["errors"]
        ]

    hidden = errors_for(draft.reference, draft.items.get().url)
    never = errors_for("TD-2026-999999", "https://shop.tiktok.com/view/product/none")
    assert hidden == never and len(hidden) >= 4
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


def test_liaison_attack_rest_api(stage, api_as, liaison):  # noqa: F811
    draft, forwarded = stage
    api = api_as(liaison)
    for url, query in (
        ("/api/v1/cases/", {}),
        ("/api/v1/cases/", {"state": "draft"}),
        ("/api/v1/cases/", {"ordering": "internal_note", "internal_note": "7Q"}),
        ("/api/v1/cases/", {"search": "7Q", "reporter_phone": SECRETS["reporter phone"]}),
        (f"/api/v1/cases/{forwarded.reference}/", {}),
        (f"/api/v1/cases/{draft.reference}/", {}),
        ("/api/v1/events/", {}),
        ("/api/v1/events/", {"after": 0, "limit": 500}),
        ("/api/schema/", {}),
    ):
        response = api.get(url, query)
        assert_no_secret(response, f"{url}?{query}")
    hidden = api.get(f"/api/v1/cases/{draft.reference}/")
    never = api.get("/api/v1/cases/TD-2026-999999/")
    assert hidden.status_code == never.status_code == 404
    # a draft is indistinguishable from no case at all: the answer names only what was asked
    assert hidden.json() == {
        **never.json(),
        "detail": never.json()["detail"].replace("TD-2026-999999", draft.reference),
    }
    item = draft.items.get()
    for item_id in (item.pk, 10**9):
        response = api.post(
            reverse("api:item-decision", args=[item_id]),
            {"outcome": "removed"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"item-{item_id}",
        )
        assert response.status_code == 404, item_id
    item.refresh_from_db()
    assert item.outcome == "pending"


def _autocomplete(client, model_name, field_name, app_label="takedowns", **more):
    query = {"app_label": app_label, "model_name": model_name, "field_name": field_name, **more}
    return client.get(reverse("admin:autocomplete"), query)


def test_liaison_attack_autocomplete_only_through_its_own_forms(
    stage, client_for, liaison, officer
):
    """The autocomplete answers a relation of a model whose admin the user may use, with the
    searched admin's own rows; another model's relation or a reverse one is 403, never 500."""
    draft, forwarded = stage
    client = client_for(liaison)
    found = _autocomplete(client, "takedowncase", "right")
    assert [row["id"] for row in found.json()["results"]] == [str(forwarded.right_id)]
    assert _autocomplete(client, "sweepfinding", "right").status_code == 403  # no sweep pages
    assert _autocomplete(client, "takedowncase", "assigned_officer").status_code == 403
    assert _autocomplete(client, "protectedright", "cases").status_code == 403  # reverse: was 500
    assert _autocomplete(client, "takedowncase", "nothing").status_code == 403
    refused = _autocomplete(client, "takedowncase", "right", term="GI\x00")  # was 500
    assert refused.status_code == 400 and "NUL" in refused.json()["error"]
    client = client_for(officer)
    rights = _autocomplete(client, "sweepfinding", "right").json()["results"]
    assert {row["id"] for row in rights} == {str(draft.right_id), str(forwarded.right_id)}


def _snapshot():
    """Every row of the takedown data and its audit trail, to compare before and after."""
    return [
        list(model._base_manager.order_by("pk").values())
        for model in (TakedownCase, StatusEvent, Evidence, ProtectedRight, RightsHolder)
    ] + [TakedownCase.history.count(), StatusEvent.objects.count()]


@pytest.mark.parametrize("role", ["manager", "liaison"])
def test_liaison_attack_crafted_writes_change_nothing(
    role,
    stage,
    role_users,
    client_for,
    api_as,  # noqa: F811
):
    """The manager changes nothing, and the liaison nothing of DIP's: crafted POSTs of DIP's
    fields, the list actions, deletes, uploads and the API's decisions leave every row and the
    audit history as they were (the liaison's own decisions are tested where they belong)."""
    draft, forwarded = stage
    user = role_users[role]
    client = client_for(user)
    before = _snapshot()
    changelist = reverse("admin:takedowns_takedowncase_changelist")
    for case in (draft, forwarded):
        url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
        dip_fields = {
            "internal_note": "changed",
            "reporter_phone": "changed",
            "assigned_officer": user.pk,
            "title": "changed",
            "version_seen": case.version,
            "transition": S.WITHDRAWN,
        }
        client.post(url, dip_fields)
        client.post(reverse("admin:takedowns_takedowncase_delete", args=[case.pk]), {"post": "yes"})
        for action in ("forward_selected", "delete_selected", "export_admin_action"):
            client.post(
                changelist, {"action": action, "_selected_action": [case.pk], "post": "yes"}
            )
    client.post(
        reverse("admin:takedowns_protectedright_change", args=[forwarded.right_id]),
        {"name": "changed", "right_type": "trademark", "owner": forwarded.right.owner_id},
    )
    client.post(
        reverse("admin:takedowns_evidence_add"),
        {"case": forwarded.pk, "kind": "screenshot", "file": SimpleUploadedFile("e.png", PNG)},
    )
    api = api_as(user)
    api.post(
        reverse("api:case-decision", args=[draft.reference]),
        {"decision": "removed"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    if role == "manager":
        api.post(
            reverse("api:case-decision", args=[forwarded.reference]),
            {"decision": "removed"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k2",
        )
        lines = [",".join(COLUMNS), f"{forwarded.reference},,,removed,,,"]
        upload = SimpleUploadedFile("d.csv", "\r\n".join(lines).encode(), "text/csv")
        client.post(reverse("admin:api_decisionupload_add"), {"file": upload})
    assert _snapshot() == before


def test_liaison_attack_reverse_relation_lookups_on_rights_are_refused(
    stage,
    client_for,
    liaison,
    officer,
):
    """``?cases=<id>`` on the rights list answered, by the rights it kept, which right a draft
    case (or a sweep finding) relies on: only the list filters' lookups are allowed there."""
    draft, forwarded = stage
    rights = reverse("admin:takedowns_protectedright_changelist")
    client = client_for(liaison)
    for query in (
        {"cases": draft.pk},
        {"cases__exact": draft.pk},
        {"cases__id__in": f"{draft.pk},{forwarded.pk}"},
        {"cases__state": "draft"},
        {"findings__isnull": "False"},
        {"owner__contact_phone__startswith": "0"},
    ):
        assert client.get(rights, query).status_code == 400, query
    assert client.get(rights, {"right_type__exact": "trademark"}).status_code == 200
    history = reverse("admin:takedowns_protectedright_history", args=[forwarded.right_id])
    assert client.get(history).status_code == 200


# --- issue 24: a case's records follow the case; a listing has one URL ------------------------

ROLES = ("officer", "supervisor", "liaison", "manager")
VIDEO = "https://www.tiktok.com/@seller068/video/7301234567890123456"
#: Spellings of ``VIDEO`` that were taken as new reports while it was open.
VIDEO_SPELLINGS = (
    "tiktok.com//@seller068/video/7301234567890123456",
    "https://www.tiktok.com/@SELLER068/video/7301234567890123456",
    "https://www.tiktok.com/@seller068/video/7301234567890123456?lang=th",
    "HTTP://M.TikTok.com/./@Seller068/video/x/../7301234567890123456/?utm_source=a&sender_device=pc",
    "https://tiktok.com/%40seller068/%76ideo/7301234567890123456#top",
)


CASE_HEADER = (
    "reference,title,description,rights_holder,right_registration_number,infringement_type,"
    "priority,reporter_name,reporter_email,reporter_phone,reporter_basis,"
    "authorization_valid_from,authorization_valid_until,item_urls\r\n"
)


def _records_snapshot():
    return _snapshot() + [list(InfringingItem.objects.order_by("pk").values())]


def _evidence_form(case, item=None):
    return {
        "case": case.pk,
        "item": item.pk if item else "",
        "kind": "screenshot",
        "file": SimpleUploadedFile("e.png", PNG, "image/png"),
        "captured_at_0": "2026-11-20",
        "captured_at_1": "10:00:00",
    }


@pytest.mark.parametrize("role", ROLES)
def test_attack_evidence_page_crafted_posts_follow_the_case(
    role,
    stage,
    right,  # noqa: F811
    role_users,
    client_for,
):
    """Crafted POSTs of the evidence page, as each role: an item of the draft on evidence of the
    forwarded case, evidence for a removed and a closed case, deleting evidence of a decided case
    (its page and "delete selected"). Nothing changes, and the liaison's evidence pages and their
    history show nothing of the draft."""
    draft, forwarded = stage
    removed = walk(make_case(right), S.REMOVED, role_users)
    closed = walk(make_case(right), S.CLOSED, role_users)
    decided = Evidence.objects.create(
        case=removed, file="takedowns/evidence/r.png", captured_at="2026-11-20T10:00:00+07:00"
    )
    before = _records_snapshot()
    client = client_for(role_users[role])
    add = reverse("admin:takedowns_evidence_add")
    assert client.post(add, _evidence_form(forwarded, draft.items.get())).status_code != 302
    for case in (removed, closed):
        assert client.post(add, _evidence_form(case)).status_code != 302
    delete = reverse("admin:takedowns_evidence_delete", args=[decided.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:takedowns_evidence_changelist")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [decided.pk], "post": "yes"}
    )
    assert _records_snapshot() == before
    liaison = client_for(role_users["liaison"])
    assert_no_secret(liaison.get(changelist), changelist)
    for shown in Evidence.objects.filter(case__in=[forwarded, removed, closed]):
        for page in ("change", "history"):
            url = reverse(f"admin:takedowns_evidence_{page}", args=[shown.pk])
            assert_no_secret(liaison.get(url), url)


@pytest.mark.parametrize("role", ROLES)
def test_attack_url_spellings_of_an_open_listing_are_never_new_reports(
    role,
    stage,
    right,  # noqa: F811
    role_users,
    client_for,
):
    """Each spelling of a listing open in the forwarded case, sent as each role through the
    new-case page, the item import and the case import, adds no item (DIP gets the duplicate
    message naming the open case; the others may not write at all)."""
    draft, forwarded = stage
    InfringingItem.objects.create(case=forwarded, kind="video", url=VIDEO)
    before = _records_snapshot()
    client = client_for(role_users[role])
    add = reverse("admin:takedowns_takedowncase_add")
    page = client.get(add)
    for url in VIDEO_SPELLINGS:
        if page.status_code == 200:
            data = new_case_data(
                page,
                right,
                **{"items-TOTAL_FORMS": "1", "items-0-kind": "video", "items-0-url": url},
            )
            response = client.post(add, data)
            assert response.status_code == 200 and forwarded.reference in texts_of(response), url
        else:
            assert client.post(add, {"title": "x", "items-0-url": url}).status_code == 403
        items = f"case_reference,kind,url\r\n{draft.reference},video,{url}\r\n"
        cases = CASE_HEADER + (
            f",Fake rice,,{right.owner.name},{right.registration_number},counterfeit,normal,"
            f"Somchai,s@dip.go.th,,owner,,,{url}\r\n"
        )
        for model, csv in (("infringingitem", items), ("takedowncase", cases)):
            upload = SimpleUploadedFile("items.csv", csv.encode(), "text/csv")
            response = client.post(
                reverse(f"admin:takedowns_{model}_import"), {"import_file": upload, "format": "0"}
            )
            if page.status_code == 200:
                assert forwarded.reference in texts_of(response), (model, url)
                assert not response.context.get("confirm_form"), (model, url)
            else:
                assert response.status_code == 403, (model, url)
    assert _records_snapshot() == before


# -- issue 24: the third pass's paths, for every role ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_liaison_attack_third_pass_odd_list_queries(role, stage, role_users, client_for):
    """Item 5: a bad ``__regex`` on every list the role opens is a 400 with a message, and an
    allowed date filter at year 1 or 9999 is never a server error."""
    client = client_for(role_users[role])
    for model, _model_admin, name in _model_urls():
        changelist = reverse(f"{name}_changelist")
        if client.get(changelist).status_code != 200:
            continue
        refused = client.get(changelist, {"code__regex": "(", "id__iregex": "["})
        assert refused.status_code == 400, changelist
        assert "security/400.html" in [template.name for template in refused.templates]
        for field in model._meta.concrete_fields:
            if field.get_internal_type() in ("DateField", "DateTimeField"):
                for query in (
                    {f"{field.name}__gte": "0001-01-01"},
                    {f"{field.name}__lt": "9999-12-31 23:59:59"},
                    {f"{field.name}_after": "0001-01-01", f"{field.name}_before": "9999-12-31"},
                ):
                    response = client.get(changelist, query)
                    assert response.status_code < 500, (changelist, query)
                    if role == "liaison":
                        assert_no_secret(response, f"{changelist}?{query}", sent=str(query))


@pytest.mark.parametrize("role", ROLES)
def test_liaison_attack_third_pass_lockout_denies_no_one(role, role_users, client, settings):
    """Item 3: another address's bad passwords for the role's account, through the trusted
    proxy, leave the account's owner signing in."""
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(
            login,
            {"username": role, "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    owner = type(client)()
    response = owner.post(
        login,
        {"username": role, "password": "pw", "next": "/admin/"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302 and owner.session["_auth_user_id"] == str(
        role_users[role].pk
    )


def test_liaison_attack_third_pass_api_odd_parameters(stage, api_as, liaison):  # noqa: F811
    """Item 5 on the API: dates outside what the portal stores are a 400 with a message."""
    api = api_as(liaison)
    for query in (
        {"updated_since": "0001-01-01T00:00:00"},
        {"updated_since": "9999-12-31T23:59:59"},
        {"updated_since": "๒๕๖๙-๑๑-๒๐"},
        {"limit": "١٢"},
    ):
        response = api.get("/api/v1/cases/", query)
        assert response.status_code in (200, 400), query
        if response.status_code == 400:
            assert response.json()["detail"], query


@pytest.mark.parametrize("role", ROLES)
def test_liaison_attack_third_pass_no_secret_in_the_session(role, role_users, client, settings):
    """Item 8 and "no secret at rest": the role's password, and for the supervisor the token it
    issues, are in no session row."""
    from django.contrib.sessions.models import Session

    user = role_users[role]
    user.set_password("Attack-pass-7QX-2026")
    user.save()
    login = reverse("admin:login")
    client.post(login, {"username": role, "password": "Attack-pass-7QX-2026"})
    secrets = ["Attack-pass-7QX-2026"]
    if role == "supervisor":
        add = reverse("admin:api_apitoken_add")
        form_id = client.get(add).context["adminform"].form.initial["issue_form"]
        issued = client.post(
            add,
            {
                "user": role_users["liaison"].pk,
                "name": "x",
                "lifetime": "90",
                "issue_form": form_id,
            },
        )
        secrets.append(issued.context["plain_token"])
    for row in Session.objects.all():
        text = f"{row.session_data} {row.get_decoded()}"
        assert not [secret for secret in secrets if secret in text], role
