import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sweeps_admin_is_thai_by_default_and_english_for_the_switch(officer, client_for):
    client = client_for(officer)
    page = client.get(reverse("admin:takedowns_monitoringsweep_add")).content.decode()
    assert "การตรวจติดตาม" in page and "ช่องทางที่ตรวจค้น" in page and "เวลาที่ใช้ (นาที)" in page
    findings = client.get(reverse("admin:takedowns_sweepfinding_changelist")).content.decode()
    assert "สร้างร่างเรื่องแจ้งนำออกจากสิ่งที่พบที่เลือก" in findings
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    page = client.get(reverse("admin:takedowns_monitoringsweep_add")).content.decode()
    assert "Surfaces searched" in page and "time spent (minutes)" in page.lower()
