"""Issue 16, "uploaded files": tried as an attacker would.

Every file field is served only by the permission-checked download view (never ``/media/``), with
the admin's row and field rules, as an attachment no browser runs; every upload's type is checked
by name and content, so a web page or script renamed ``.pdf`` is refused with a clear message.
"""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from portal.jobs.choices import FileFormat, JobKind
from portal.jobs.models import Job
from portal.models import Target
from portal.security.uploads import PortalFileField
from takedowns.choices import CaseState
from takedowns.models import Evidence, ProtectedRight
from tests.takedowns.admin_helpers import post_data
from tests.takedowns.conftest import holder, make_case, right, walk  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
S = CaseState
PDF = b"%PDF-1.7\n% letter of authorization\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>fetch('/admin/')</script></html>"
JS = b"fetch('/admin/auth/user/').then(r => r.text()).then(alert)\n"


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # DIP roles otherwise work in Thai


def _stored(name, content=PDF):
    return default_storage.save(name, ContentFile(content))


def download_url(obj, field):
    opts = obj._meta
    return reverse("file_download", args=[opts.app_label, opts.model_name, obj.pk, field])


@pytest.fixture
def draft_case(right):  # noqa: F811
    case = make_case(right)
    case.authorization_document = _stored("takedowns/authorizations/draft.pdf")
    case.save()
    Evidence.objects.create(
        case=case,
        file=_stored("takedowns/evidence/draft.png", PNG),
        captured_at="2026-11-20T10:00:00+07:00",
        original_name="draft.png",
        content_type="image/png",
        size=len(PNG),
        sha256="a" * 64,
    )
    return case


@pytest.fixture
def forwarded_case(right, role_users):  # noqa: F811
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    case.authorization_document = _stored("takedowns/authorizations/forwarded.pdf")
    case.save()
    return case


# --- never /media/ --------------------------------------------------------------------------


def test_uploaded_files_media_is_never_routed_even_with_debug(draft_case, client, supervisor):
    import portal.urls

    name = draft_case.authorization_document.name
    try:
        with override_settings(DEBUG=True):
            clear_url_caches()
            importlib.reload(portal.urls)
            with pytest.raises(Resolver404):
                resolve(f"/media/{name}")
            client.force_login(supervisor)
            assert client.get(f"/media/{name}").status_code == 404
    finally:
        clear_url_caches()
        importlib.reload(portal.urls)


def test_uploaded_files_every_file_field_is_checked_and_downloaded_through_the_view():
    file_fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
    assert len(file_fields) >= 4  # certificate, letter of authorization, evidence, import file
    for model, field in file_fields:
        assert isinstance(field, PortalFileField), f"{model._meta.label}.{field.name}"
        assert field.file_types, f"{model._meta.label}.{field.name} takes no type"
        instance = model(pk=7, **{field.name: "x/y.pdf"})
        assert getattr(instance, field.name).url == (
            f"/files/{model._meta.app_label}/{model._meta.model_name}/7/{field.name}/"
        )


# --- the download view, per role ------------------------------------------------------------


def test_uploaded_files_anonymous_is_sent_to_login(draft_case, forwarded_case, client):
    for case in (draft_case, forwarded_case):
        response = client.get(download_url(case, "authorization_document"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_uploaded_files_a_user_without_a_role_is_refused(forwarded_case, client_for, outsider):
    response = client_for(outsider).get(download_url(forwarded_case, "authorization_document"))
    assert response.status_code == 403


def test_uploaded_files_liaison_gets_404_for_a_draft_case(draft_case, client_for, liaison):
    client = client_for(liaison)
    assert client.get(download_url(draft_case, "authorization_document")).status_code == 404
    evidence = draft_case.evidence.get()
    assert client.get(download_url(evidence, "file")).status_code == 404


def test_uploaded_files_liaison_downloads_a_forwarded_case_as_an_attachment(
    forwarded_case, client_for, liaison
):
    response = client_for(liaison).get(download_url(forwarded_case, "authorization_document"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # not the pages' policy


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager"])
def test_uploaded_files_dip_and_manager_download_what_their_admin_shows(
    role, role_users, draft_case, client_for
):
    client = client_for(role_users[role])
    assert client.get(download_url(draft_case, "authorization_document")).status_code == 200
    assert client.get(download_url(draft_case.evidence.get(), "file")).status_code == 200
    certificate = ProtectedRight.objects.get()
    certificate.certificate = _stored("takedowns/certificates/c.pdf")
    certificate.save()
    assert client.get(download_url(certificate, "certificate")).status_code == 200


def _right_with_certificate(owner, name, number):
    return ProtectedRight.objects.create(
        right_type="trademark",
        name=name,
        registration_number=number,
        owner=owner,
        certificate=_stored(f"takedowns/certificates/{number}.pdf"),
    )


@pytest.mark.parametrize(
    "role, forwarded, draft_only, unused",
    [
        ("officer", 200, 200, 200),
        ("supervisor", 200, 200, 200),
        ("manager", 200, 200, 200),
        ("liaison", 200, 404, 404),
        ("anonymous", 302, 302, 302),
    ],
)
def test_uploaded_files_certificate_download_follows_the_rights_the_role_sees(
    role,
    forwarded,
    draft_only,
    unused,
    role_users,
    client,
    holder,  # noqa: F811
    forwarded_case,
):
    """Issue 16 (second pass): a right's certificate is the liaison's only when one of the cases
    forwarded to it relies on the right; the rights of drafts and unused rights are not found."""
    forwarded_case.right.certificate = _stored("takedowns/certificates/forwarded.pdf")
    forwarded_case.right.save()
    draft_right = _right_with_certificate(holder, "draft right", "D-1")
    make_case(draft_right)
    unused_right = _right_with_certificate(holder, "unused right", "U-1")
    if role != "anonymous":
        client.force_login(role_users[role])
    for obj, expected in (
        (forwarded_case.right, forwarded),
        (draft_right, draft_only),
        (unused_right, unused),
    ):
        response = client.get(download_url(obj, "certificate"))
        assert response.status_code == expected, (role, obj.name)
        if expected == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"].startswith("attachment;")


def test_uploaded_files_liaison_lists_and_finds_only_the_rights_of_its_cases(
    client_for,
    liaison,
    holder,  # noqa: F811
    forwarded_case,
):
    """The same row rule in the admin's rights list, a right's page and history, and the
    rights autocomplete (reachable through any admin with a right field)."""
    hidden = _right_with_certificate(holder, "hidden right", "H-1")
    make_case(hidden)
    client = client_for(liaison)
    listing = client.get(reverse("admin:takedowns_protectedright_changelist"))
    assert list(listing.context["cl"].result_list) == [forwarded_case.right]
    for name in ("change", "history"):
        url = reverse(f"admin:takedowns_protectedright_{name}", args=[hidden.pk])
        response = client.get(url)
        assert response.status_code == 404 or response.url == reverse("admin:index"), name
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "takedowns", "model_name": "takedowncase", "field_name": "right"},
    )
    assert [row["id"] for row in found.json()["results"]] == [str(forwarded_case.right.pk)]


def test_uploaded_files_a_stored_web_page_is_never_served_as_one(draft_case, client_for, officer):
    """A file stored before the type check (or put there by hand) still cannot run."""
    draft_case.authorization_document = _stored("takedowns/authorizations/old.html", HTML)
    draft_case.save()
    response = client_for(officer).get(download_url(draft_case, "authorization_document"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


SCRIPT_TYPES = ("html", "javascript", "ecmascript", "svg", "xml", "xhtml")


@pytest.mark.parametrize(
    "name", ["a.html", "a.htm", "a.svg", "a.js", "a.mjs", "a.xhtml", "a.xml", "a", "a.pdf.html"]
)
def test_uploaded_files_no_upload_runs_as_script(name, draft_case, client_for, officer):
    """Whatever name a stored file has (put there before the type check, or by hand), every
    file field sends it as an attachment, never with a type a browser runs, never sniffed, and
    sandboxed even if opened."""
    evidence = draft_case.evidence.get()
    stored = _stored(f"takedowns/x/{name}", HTML)
    draft_case.authorization_document = stored
    draft_case.save()
    evidence.file = stored
    evidence.save()
    draft_case.right.certificate = stored
    draft_case.right.save()
    client = client_for(officer)
    for obj, field in (
        (draft_case, "authorization_document"),
        (evidence, "file"),
        (draft_case.right, "certificate"),
    ):
        response = client.get(download_url(obj, field))
        assert response.status_code == 200
        content_type = response["Content-Type"].lower()
        assert not any(kind in content_type for kind in SCRIPT_TYPES), (name, content_type)
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox")


def test_uploaded_files_crafted_addresses_find_nothing(
    draft_case, client_for, supervisor, officer, manager
):
    client = client_for(supervisor)
    pk = draft_case.pk
    for address in (
        f"/files/takedowns/takedowncase/{pk}/title/",  # not a file field
        f"/files/takedowns/takedowncase/{pk}/nothing/",
        "/files/takedowns/takedowncase/abc/authorization_document/",
        f"/files/auth/user/{supervisor.pk}/password/",
        f"/files/takedowns/historicaltakedowncase/{pk}/authorization_document/",
        "/files/nothing/nothing/1/file/",
    ):
        assert client.get(address).status_code == 404, address
    # An import file is not a field any job page shows: nobody downloads it, not even its owner,
    # and another officer's job is not found at all.
    job = Job.objects.create(
        kind=JobKind.IMPORT,
        content_type_id=1,
        resource="x",
        file=_stored("jobs/t.csv", b"name\nx\n"),
        file_format=FileFormat.CSV,
        created_by=officer,
    )
    assert client_for(officer).get(download_url(job, "file")).status_code == 404
    assert client_for(manager).get(download_url(job, "file")).status_code == 404


# --- the admin links to the view -----------------------------------------------------------


def test_uploaded_files_admin_widgets_link_to_the_download_view(
    draft_case, forwarded_case, client_for, officer, liaison
):
    page = client_for(officer).get(
        reverse("admin:takedowns_takedowncase_change", args=[draft_case.pk])
    )
    html = page.content.decode()
    assert download_url(draft_case, "authorization_document") in html  # the file widget
    assert download_url(draft_case.evidence.get(), "file") in html  # the evidence inline
    assert "/media/" not in html
    page = client_for(liaison).get(
        reverse("admin:takedowns_takedowncase_change", args=[forwarded_case.pk])
    )
    html = page.content.decode()
    assert download_url(forwarded_case, "authorization_document") in html  # read-only field
    assert "/media/" not in html


# --- every upload's type is checked --------------------------------------------------------


def _post_letter(client, case, upload):
    url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    return client.post(url, post_data(client.get(url), authorization_document=upload))


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("letter.pdf", HTML, "is a web page or script, not a .pdf file"),
        ("letter.pdf", JS, "does not contain what its extension says (.pdf)"),
        ("letter.html", HTML, "files of this type are not accepted. Allowed: jpeg, jpg, pdf"),
        ("letter.svg", b"<svg onload=alert(1)/>", "files of this type are not accepted"),
    ],
)
def test_uploaded_files_a_script_renamed_pdf_is_refused_with_a_clear_message(
    right,  # noqa: F811
    client_for,
    officer,
    name,
    content,
    message,
    tmp_path,
):
    case = make_case(right)
    response = _post_letter(client_for(officer), case, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["authorization_document"])
    case.refresh_from_db()
    assert not case.authorization_document
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_uploaded_files_a_real_letter_is_accepted(right, client_for, officer):  # noqa: F811
    case = make_case(right)
    response = _post_letter(client_for(officer), case, SimpleUploadedFile("letter.pdf", PDF))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.authorization_document.read() == PDF


def test_uploaded_files_certificate_type_is_checked(client_for, supervisor, holder):  # noqa: F811
    client = client_for(supervisor)
    url = reverse("admin:takedowns_protectedright_add")
    data = {
        "right_type": "trademark",
        "name": "x",
        "registration_number": "ค1",
        "owner": holder.pk,
        "jurisdiction": "TH",
    }
    refused = client.post(url, {**data, "certificate": SimpleUploadedFile("c.pdf", HTML)})
    assert "web page or script" in str(refused.context["adminform"].form.errors["certificate"])
    assert not ProtectedRight.objects.exists()
    accepted = client.post(url, {**data, "certificate": SimpleUploadedFile("c.png", PNG)})
    assert accepted.status_code == 302
    assert ProtectedRight.objects.get().certificate.read() == PNG


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("targets.csv", HTML, "web page or script"),
        ("targets.html", HTML, "Allowed: csv, xlsx"),
        ("targets.xlsx", JS, "does not contain what its extension says (.xlsx)"),
    ],
)
def test_uploaded_files_import_files_are_checked(client_for, supervisor, name, content, message):
    response = client_for(supervisor).post(
        reverse("admin:portal_target_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": "0"},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["import_file"])
    assert not Target.objects.exists()
