"""Training fixtures: a course with a pass mark, a small session, participants, and import helpers."""

import io
import re
from datetime import datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Province
from training.choices import Division, PlatformTool, SessionMode
from training.models import Course, Participant, TrainingSession

CSV, XLSX = "0", "1"  # the order of portal.importing.FORMATS


@pytest.fixture
def course(db):
    return Course.objects.create(
        code="LIVE-101",
        title_th="การใช้เครื่องมือ LIVE สำหรับขายสินค้า GI",
        title_en="Selling GI products with LIVE tools",
        tool=PlatformTool.LIVE_TOOLS,
        pass_mark=60,
    )


@pytest.fixture
def open_course(db):
    """A course without a test: attending completes it."""
    return Course.objects.create(
        code="SC-100",
        title_th="พื้นฐาน Seller Center",
        title_en="Seller Center basics",
        tool=PlatformTool.SELLER_CENTER,
    )


def make_session(course, *, capacity=2, days_ago=10, reference=""):
    starts = timezone.make_aware(datetime(2026, 3, 10, 9, 0)) - timedelta(days=days_ago)
    return TrainingSession.objects.create(
        course=course,
        reference=reference,
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        mode=SessionMode.ON_SITE,
        venue="ห้องประชุม 1 กรมทรัพย์สินทางปัญญา นนทบุรี",
        province=Province.objects.get(code="TH-12"),
        trainer="TikTok Shop Academy",
        capacity=capacity,
    )


@pytest.fixture
def session(course):
    return make_session(course, capacity=2, reference="LIVE-101-A")


def make_participant(n, division=Division.GI):
    return Participant.objects.create(
        name=f"นางสาวทดสอบ ที่{n}", division=division, email=f"staff{n}@ipthailand.go.th"
    )


@pytest.fixture
def participants(db):
    return [make_participant(n) for n in range(1, 5)]


def csv_bytes(rows, *, bom=True) -> bytes:
    text = "\r\n".join(",".join(str(cell) for cell in row) for row in rows) + "\r\n"
    return text.encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_file(client, model, content, *, name="sheet.csv", file_format=CSV, confirm=True):
    """Upload through the admin's import page; confirm when it validates. Returns the last response."""
    url = reverse(f"admin:training_{model}_import")
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(url, {"format": file_format, "resource": "0", "import_file": upload})
    if not confirm or response.status_code != 200 or "confirm_form" not in response.context:
        return response
    form = response.context["confirm_form"]
    if form is None:
        return response
    return client.post(
        reverse(f"admin:training_{model}_process_import"),
        {**form.initial, "resource": form.initial.get("resource", "0")},
    )


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())
