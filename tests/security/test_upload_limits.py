"""Issue 16, "the 100 MB video limit is unreachable under the 25 MB request limit".

The request limit of a page admits the largest file its form accepts (a video on the case and
evidence pages), so a file is refused by its own type's limit, with that limit named; a request
above the page's limit is a 413 naming the page's limit and each type's. Sizes are scaled down
with the settings; the last tests check the shipped defaults.
"""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

from portal import settings as shipped
from portal.security.middleware import page_file_limits, request_limit
from takedowns.models import Evidence
from tests.takedowns.conftest import holder, make_case, right  # noqa: F401 (fixtures)
from tests.takedowns.test_evidence import upload

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def mp4(size: int) -> SimpleUploadedFile:
    head = b"\x00\x00\x00\x18ftypmp42"
    return SimpleUploadedFile("shop.mp4", head + b"\x00" * (size - len(head)), "video/mp4")


@pytest.fixture(autouse=True)
def _small_limits(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_UPLOAD_SIZE = 1 * MB
    settings.MAX_DOCUMENT_UPLOAD_SIZE = MB // 2
    settings.MAX_VIDEO_UPLOAD_SIZE = 3 * MB  # the case page then admits 1 + 3 MB
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _no_parsing(*args, **kwargs):
    raise AssertionError("the body was parsed")


def test_video_limit_is_reachable_a_video_over_the_request_limit_is_attached(
    right,  # noqa: F811
    client_for,
    officer,
):
    case = make_case(right)
    response = upload(client_for(officer), case, mp4(3 * MB))  # the video limit exactly
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.size, evidence.content_type) == (3 * MB, "video/mp4")


def test_video_limit_a_video_over_its_type_limit_gets_the_form_message_naming_it(
    right,  # noqa: F811
    client_for,
    officer,
):
    case = make_case(right)
    response = upload(client_for(officer), case, mp4(3 * MB + MB // 2))
    assert response.status_code == 200
    errors = str(response.context["inline_admin_formsets"][1].formset.errors)
    assert "“shop.mp4” is 3.5 MB; the limit for this type is 3 MB." in errors
    assert not Evidence.objects.exists()


def test_video_limit_a_request_over_the_page_limit_is_413_naming_the_limits(
    right,  # noqa: F811
    client_for,
    officer,
    monkeypatch,
):
    case = make_case(right)
    client = client_for(officer)
    client.get(reverse("admin:takedowns_takedowncase_change", args=[case.pk]))  # the form
    monkeypatch.setattr(MultiPartParser, "parse", _no_parsing)
    response = upload(client, case, mp4(5 * MB))
    assert response.status_code == 413
    page = response.content.decode()
    assert "at most 4 MB in all" in page
    assert "mp4, mov, webm: 3 MB" in page
    assert "pdf, png, jpeg, jpg, webp, gif: 0.5 MB" in page
    assert not Evidence.objects.exists()


def test_video_limit_pages_without_large_files_keep_the_request_limit(
    client,
    client_for,
    supervisor,
    right,  # noqa: F811
    monkeypatch,
):
    """The larger limit is for the pages that take videos, and only for a signed-in user."""
    monkeypatch.setattr(MultiPartParser, "parse", _no_parsing)

    def body():
        return {"file": SimpleUploadedFile("x.pdf", b"%PDF-" + b"x" * (2 * MB))}

    case_page = reverse("admin:takedowns_takedowncase_change", args=[make_case(right).pk])
    for url in (reverse("admin:login"), case_page):  # a visitor
        response = client.post(url, body())
        assert response.status_code == 413, url
        assert "at most 1 MB in all" in response.content.decode()
    client = client_for(supervisor)
    for url in (
        reverse("admin:takedowns_protectedright_add"),  # a certificate: a document
        reverse("admin:portal_target_import"),
    ):
        response = client.post(url, body())
        assert response.status_code == 413, url
        assert "at most 1 MB in all" in response.content.decode()


def test_video_limit_the_shipped_limits_admit_every_allowed_file(settings):
    """With the default settings, every admin page admits the largest file its forms accept,
    with room for the rest of the form."""
    for name in ("MAX_UPLOAD_SIZE", "MAX_DOCUMENT_UPLOAD_SIZE", "MAX_VIDEO_UPLOAD_SIZE"):
        setattr(settings, name, getattr(shipped, name))
    assert settings.MAX_VIDEO_UPLOAD_SIZE == 100 * MB
    pages = 0
    for model_admin in admin.site._registry.values():
        for pattern in model_admin.urls:
            limits = page_file_limits(pattern.callback)
            if limits:
                pages += 1
                assert request_limit(limits) >= max(limits) + MB, pattern.name
    assert pages >= 3 * 4  # case, evidence, right: list, add, change, ...
    evidence_page = admin.site._registry[Evidence].urls[1].callback
    assert request_limit(page_file_limits(evidence_page)) >= 100 * MB + MB
