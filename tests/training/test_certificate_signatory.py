"""Issue 25, item 8: the certificate names its signatory, prints the seal the supervisor keeps,
and writes its English line in English."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from training import services
from training.models import CertificateSignatory

from .conftest import make_participant
from .test_certificate_pdf import pdf_of, squeezed

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SEAL_RED = (200, 16, 16)


def seal_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), SEAL_RED).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def signatory(db):
    return CertificateSignatory.objects.create(
        signs_from=date(2026, 1, 1),
        name_th="นางสาวกำไลทอง ใจงาม",
        name_en="Ms Kamlaithong Jai-ngam",
        title_th="อธิบดีกรมทรัพย์สินทางปัญญา",
        title_en="Director-General, Department of Intellectual Property",
        seal=SimpleUploadedFile("seal.png", seal_png(), content_type="image/png"),
    )


@pytest.fixture
def completed(session):
    participant = make_participant(1)
    participant.name = "นายนิยม สำรวจน้ำ"
    participant.save()
    return services.attendance_register(
        session=session, participant=participant, attended=True, score=90, completed=True
    )


def _pdf(client, attendance):
    url = reverse("admin:training_attendance_certificate_pdf", args=[attendance.pk])
    return pdf_of(client.get(url))


def test_certificate_signatory_name_title_and_seal_on_the_pdf(
    officer, client_for, signatory, completed
):
    document = _pdf(client_for(officer), completed)
    page = document[0]
    text = squeezed(page.get_textpage().get_text_range())
    for expected in (signatory.name_en, signatory.title_en, signatory.title_th):
        assert squeezed(expected) in text

    image = page.render(scale=1).to_pil().convert("RGB")
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / "certificate_with_signatory.png")
    pixels = image.tobytes()  # three bytes a pixel in mode RGB
    red = sum(
        1
        for r, g, b in zip(pixels[0::3], pixels[1::3], pixels[2::3], strict=True)
        if r > 150 and g < 90 and b < 90
    )
    assert red > 40 * 40, "the seal is not printed"


def test_certificate_signatory_of_the_certificate_date(session, completed, signatory):
    later = CertificateSignatory.objects.create(
        signs_from=date(2027, 1, 1),
        name_th="นายสมหมาย",
        name_en="Mr Sommai",
        title_th="อธิบดี",
        title_en="Director-General",
    )
    assert CertificateSignatory.on(date(2026, 3, 1)) == signatory
    assert CertificateSignatory.on(date(2027, 2, 1)) == later
    assert CertificateSignatory.on(date(2025, 12, 31)) is None


def test_certificate_english_line_has_no_thai_venue(officer, client_for, completed):
    page = client_for(officer).get(
        reverse("admin:training_attendance_certificate", args=[completed.pk])
    )
    html = page.content.decode()
    english = [line for line in html.splitlines() if "held on" in line][0]
    assert not any("\u0e00" <= char <= "\u0e7f" for char in english), english
    assert "Nonthaburi" in english


def test_certificate_signatory_kept_by_supervisors_only(
    client_for, officer, supervisor, manager, liaison
):
    url = reverse("admin:training_certificatesignatory_add")
    data = {
        "signs_from": "2026-01-01",
        "name_th": "นางสาวกำไลทอง ใจงาม",
        "name_en": "Ms Kamlaithong Jai-ngam",
        "title_th": "อธิบดีกรมทรัพย์สินทางปัญญา",
        "title_en": "Director-General",
    }
    for user in (officer, manager, liaison):
        assert client_for(user).post(url, data).status_code == 403
    assert not CertificateSignatory.objects.exists()
    response = client_for(supervisor).post(
        url, {**data, "seal": SimpleUploadedFile("seal.png", seal_png(), "image/png")}
    )
    assert response.status_code == 302
    assert CertificateSignatory.objects.get().seal


def test_certificate_signatory_seal_must_be_an_image(client_for, supervisor):
    url = reverse("admin:training_certificatesignatory_add")
    response = client_for(supervisor).post(
        url,
        {
            "signs_from": "2026-01-01",
            "name_th": "ก",
            "name_en": "K",
            "title_th": "ก",
            "title_en": "K",
            "seal": SimpleUploadedFile("seal.png", b"<svg onload=alert(1)>", "image/png"),
        },
    )
    assert response.status_code == 200
    assert "seal" in response.context["adminform"].form.errors
    assert not CertificateSignatory.objects.exists()
