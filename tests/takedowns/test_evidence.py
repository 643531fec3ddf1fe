import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from takedowns import evidence
from takedowns.choices import CaseState
from takedowns.models import Evidence

from .admin_helpers import post_data
from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, case, file, **extra):
    url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    page = client.get(url)
    n = Evidence.objects.filter(case=case).count()
    fields = {
        "kind": "screenshot",
        "captured_at_0": "2026-11-20",
        "captured_at_1": "10:00:00",
        "description": "หน้าร้าน",
        "case": str(case.pk),
        "file": file,
    }
    data = post_data(
        page,
        **{"evidence-TOTAL_FORMS": str(n + 1)},
        **{f"evidence-{n}-{name}": value for name, value in fields.items()},
        **extra,
    )
    return client.post(url, data)


def test_officer_uploads_a_screenshot_and_its_sha256_is_stored(
    officer, right, client_for, tmp_path
):
    case = make_case(right)
    response = upload(client_for(officer), case, SimpleUploadedFile("shop.png", PNG, "image/png"))
    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert (evidence.size, evidence.content_type, evidence.uploaded_by) == (
        len(PNG),
        "image/png",
        officer,
    )


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("virus.exe", b"MZ\x90\x00" * 10, "not accepted"),
        ("fake.png", b"GIF89a" + b"\x00" * 40, "does not contain"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused_and_not_kept(
    officer, right, client_for, tmp_path, name, content, message, settings
):
    settings.LANGUAGE_CODE = "en"
    case = make_case(right)
    client = client_for(officer)
    client.cookies["django_language"] = "en"
    response = upload(client, case, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_size_limit(settings, right):
    settings.MAX_DOCUMENT_UPLOAD_SIZE = 50
    with pytest.raises(ValidationError) as error:
        evidence.evidence_check_file(file=SimpleUploadedFile("big.pdf", PDF))
    assert error.value.code == "file_too_large"


def test_same_file_twice_in_a_case_is_refused(officer, right, client_for):
    case = make_case(right)
    client = client_for(officer)
    assert upload(client, case, SimpleUploadedFile("a.pdf", PDF)).status_code == 302
    response = upload(client, case, SimpleUploadedFile("copy.pdf", PDF))
    assert response.status_code == 200
    assert Evidence.objects.count() == 1


def test_liaison_cannot_upload(role_users, right, client_for):
    case = walk(make_case(right), S.UNDER_PLATFORM_REVIEW, role_users)
    response = upload(client_for(role_users["liaison"]), case, SimpleUploadedFile("a.pdf", PDF))
    assert response.status_code == 302  # the extra form is ignored: no add permission
    assert Evidence.objects.count() == 0
