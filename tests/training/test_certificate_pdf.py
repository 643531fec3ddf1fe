"""Certificates as PDF: one A4 landscape page each, the Thai text really drawn, per role."""

import ctypes
import re
import shutil
import subprocess
from datetime import date

import pypdfium2
import pytest
from django.urls import reverse

from training import services
from training.choices import Division
from training.models import CertificateSignatory, Participant

from .conftest import make_participant

pytestmark = pytest.mark.django_db

A4_LANDSCAPE_POINTS = (841.89, 595.28)
#: Fonts with Thai glyphs that the certificate's stylesheet names (Debian's fonts-thai-tlwg et al.).
THAI_FONTS = ("Laksaman", "Sarabun", "Garuda", "Noto Sans Thai", "Loma", "Kinnari", "Norasi")


@pytest.fixture
def completed(session, participants):
    return services.attendance_register(
        session=session, participant=participants[0], attended=True, score=82, completed=True
    )


def squeezed(text: str) -> str:
    """Text without white space; pdfium reports a line-end hyphen as U+FFFE."""
    return re.sub(r"\s+", "", text.replace("\ufffe", "-"))


def pdf_of(response) -> pypdfium2.PdfDocument:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pypdfium2.PdfDocument(b"".join(response))


def text_box(page, text):
    """Where ``text`` is on ``page``: its first character's index and its bounding box (left,
    bottom, right, top, in points)."""
    textpage = page.get_textpage()
    searcher = textpage.search(text)
    found = searcher.get_next()
    assert found, f"{text!r} is not in the PDF's text layer"
    start, count = found
    boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
    return start, (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def font_of_char(page, index) -> str:
    """The name of the embedded font that draws character ``index``, e.g. ABCDEF+Laksaman-Bold."""
    textpage = page.get_textpage()
    buffer = ctypes.create_string_buffer(256)
    pypdfium2.raw.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, None)
    return buffer.value.decode()


def test_certificate_pdf_is_one_a4_landscape_page_with_the_thai_text_drawn(
    officer, client_for, completed
):
    url = reverse("admin:training_attendance_certificate_pdf", args=[completed.pk])
    response = client_for(officer).get(url)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{completed.certificate_number}.pdf"'
    )
    document = pdf_of(response)
    assert len(document) == 1
    page = document[0]
    width, height = page.get_size()
    assert (round(width, 0), round(height, 0)) == tuple(round(p, 0) for p in A4_LANDSCAPE_POINTS)

    text = squeezed(page.get_textpage().get_text_range())
    for expected in (
        completed.participant.name,
        completed.session.course.title_en,
        completed.certificate_number,
        "ประกาศนียบัตร",
        "28 กุมภาพันธ์ พ.ศ. 2569",  # completed on the session's last day, in the Buddhist era
    ):
        assert squeezed(expected) in text

    name = completed.participant.name
    start, (left, bottom, right, top) = text_box(page, name)
    assert any(font in font_of_char(page, start) for font in THAI_FONTS), font_of_char(page, start)

    scale = 2
    image = page.render(scale=scale).to_pil().convert("L")
    # PDF points go up from the bottom; the image's pixels go down from the top.
    area = image.crop(
        (
            int(left * scale),
            int((height - top) * scale),
            int(right * scale),
            int((height - bottom) * scale),
        )
    )
    dark = sum(1 for pixel in area.tobytes() if pixel < 128)  # one byte a pixel in mode L
    assert dark > 0.05 * area.width * area.height, "the name's glyphs are not drawn"
    blank = image.crop((0, 0, int(5 * scale), int(5 * scale)))  # the page margin stays white
    assert all(pixel > 250 for pixel in blank.tobytes())


def test_the_certificate_page_links_its_pdf(manager, client_for, completed):
    page = client_for(manager).get(
        reverse("admin:training_attendance_certificate", args=[completed.pk])
    )
    assert reverse("admin:training_attendance_certificate_pdf", args=[completed.pk]) in (
        page.content.decode()
    )


def test_no_pdf_before_completion(manager, client_for, session, participants):
    attendance = services.attendance_register(session=session, participant=participants[1])
    url = reverse("admin:training_attendance_certificate_pdf", args=[attendance.pk])
    assert client_for(manager).get(url).status_code == 404


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_certificate_pdf_is_refused_outside_the_dip_roles_and_managers(
    role, role_users, client_for, completed
):
    url = reverse("admin:training_attendance_certificate_pdf", args=[completed.pk])
    assert client_for(role_users[role]).get(url).status_code == 403


def action(client, *attendances):
    return client.post(
        reverse("admin:training_attendance_changelist"),
        {"action": "download_certificates", "_selected_action": [a.pk for a in attendances]},
    )


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager"])
def test_the_action_downloads_one_page_per_completed_attendance(
    role, role_users, client_for, session, completed, participants
):
    second = services.attendance_register(
        session=session, participant=participants[1], attended=True, score=90, completed=True
    )
    response = action(client_for(role_users[role]), completed, second)
    document = pdf_of(response)
    assert len(document) == 2
    names = {document[i].get_textpage().get_text_range() for i in range(2)}
    assert any(completed.participant.name in text for text in names)
    assert any(second.participant.name in text for text in names)


def test_the_action_refuses_a_selection_without_certificates(
    officer, client_for, session, participants
):
    other = make_participant(7)
    session.capacity = 5
    session.save()
    pending = services.attendance_register(session=session, participant=other)
    response = action(client_for(officer), pending)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("ประกาศนียบัตร" in m and "200" in m for m in messages), messages  # officers read Thai


def test_a_crafted_action_post_from_the_liaison_is_refused(liaison, client_for, completed):
    response = action(client_for(liaison), completed)
    assert response.status_code == 403


@pytest.fixture
def thai_certificate(session):
    """A certificate whose Thai has SARA AM after a consonant and under tone marks, and a tone
    mark over a vowel below (the glyphs a Thai font draws in another order than the text)."""
    course = session.course
    course.title_th = "สำนักงานพาณิชย์: การทำตลาดสินค้า GI ค่ำนี้"
    course.save()
    CertificateSignatory.objects.create(
        signs_from=date(2026, 1, 1),
        name_th="นายสำราญ ทำดี",
        name_en="Mr Samran Thamdee",
        title_th="ผู้อำนวยการสำนักส่งเสริมการค้า",
        title_en="Director, Trade Promotion Office",
    )
    participant = Participant.objects.create(
        name="นางสาวน้ำค้าง คำแสง", division=Division.GI, email="namkhang@ipthailand.go.th"
    )
    return services.attendance_register(
        session=session, participant=participant, attended=True, score=75, completed=True
    )


def test_certificate_pdf_thai_text_copies_as_it_reads(officer, client_for, thai_certificate):
    """Names, course, dates and signatory come out of the PDF's text exactly as written, with
    pdfium (Chromium's reader) and, where it is installed, poppler's pdftotext."""
    url = reverse("admin:training_attendance_certificate_pdf", args=[thai_certificate.pk])
    response = client_for(officer).get(url)
    pdf = b"".join(response)
    expected = (
        "นางสาวน้ำค้าง คำแสง",
        "สำนักงานพาณิชย์: การทำตลาดสินค้า GI ค่ำนี้",
        "(นายสำราญ ทำดี)",
        "ผู้อำนวยการสำนักส่งเสริมการค้า",
        "อบรมเมื่อวันที่ 28 กุมภาพันธ์ พ.ศ. 2569",
        "ให้ไว้ ณ วันที่ · Date",
        "ขอมอบประกาศนียบัตรฉบับนี้เพื่อแสดงว่า",
    )
    text = pdf_of(response)[0].get_textpage().get_text_range()
    lines = text.split("\r\n")
    for line in expected:
        assert any(line in found for found in lines), (line, lines)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        for line in expected:
            assert line in text, (line, text)
