import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_is_thai_by_default_and_switches_to_english(officer, client_for):
    client = client_for(officer)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'lang="th"' in page
    assert 'id="language-switch"' in page

    response = client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    page = client.get(reverse("admin:index")).content.decode()
    assert 'lang="en"' in page
    assert "DIP × TikTok Shop MOU Portal" in page


def test_login_page_offers_the_switch(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'id="language-switch"' in page


def test_thai_catalogue_translates_the_portal(officer, client_for):
    page = client_for(officer).get(reverse("admin:portal_target_changelist")).content.decode()
    assert "เป้าหมาย" in page


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager"])
def test_dip_roles_get_thai_when_the_browser_asks_for_english(role, role_users, client_for):
    response = client_for(role_users[role]).get(
        reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    assert 'lang="th"' in response.content.decode()
    assert response["Content-Language"] == "th"


def test_liaison_gets_english_when_the_browser_asks_for_thai(liaison, client_for):
    response = client_for(liaison).get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="th")
    assert 'lang="en"' in response.content.decode()


def test_a_liaison_who_is_also_an_officer_works_in_thai(liaison, client_for):
    from django.contrib.auth.models import Group

    from portal.roles import OFFICER

    liaison.groups.add(Group.objects.get(name=OFFICER))
    response = client_for(liaison).get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="th"' in response.content.decode()


def test_the_switch_overrides_the_role_language(liaison, client_for):
    client = client_for(liaison)
    client.post(reverse("set_language"), {"language": "th", "next": "/admin/"})
    assert 'lang="th"' in client.get(reverse("admin:index")).content.decode()


def test_visitors_follow_their_browser_on_the_login_page(client):
    english = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english
    assert 'lang="th"' in client.get(reverse("admin:login")).content.decode()


def test_thai_words_for_references_certificates_and_empty_lists():
    """Each reference says what it identifies; a certificate is a certificate; an empty list is
    "no items", not "busy"; the library strings (import-export, simple-history) are Thai."""
    from django.utils import translation

    from takedowns.models import TakedownCase
    from training.models import Attendance, TrainingSession

    with translation.override("th"):
        assert str(TakedownCase._meta.get_field("reference").verbose_name) == "เลขที่เรื่อง"
        assert str(TrainingSession._meta.get_field("reference").verbose_name) == "รหัสรอบอบรม"
        assert translation.pgettext("monitoring sweep", "reference") == "รหัสการตรวจติดตาม"
        certificate = Attendance._meta.get_field("certificate_number").verbose_name
        assert str(certificate) == "เลขที่ใบรับรอง"
        assert translation.gettext("None available") == "ไม่มีรายการ"
        assert translation.gettext("View") == "ดู"
        assert translation.gettext("Export") == "ส่งออก"
        assert translation.gettext("Changed by") == "แก้ไขโดย"


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_missing_page_says_so_in_thai(signed_in, officer, client):
    from tests.english_left import english_left

    if signed_in:
        client.force_login(officer)
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 404
    page = response.content.decode()
    assert "ไม่พบหน้านี้" in page and 'href="/admin/"' in page
    assert english_left(page) == []


def test_a_form_with_errors_asks_in_thai_to_correct_them(officer, client_for):
    response = client_for(officer).post(
        reverse("admin:password_change"),
        {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
    )
    assert "กรุณาแก้ไขข้อผิดพลาดด้านล่าง" in response.content.decode()


def test_a_history_row_without_user_or_reason_reads_a_dash(supervisor, client_for):
    from django.core.management import call_command

    from portal.models import Target

    call_command("demo_mou", verbosity=0)  # written by no one, for no stated reason
    target = Target.objects.first()
    page = client_for(supervisor).get(reverse("admin:portal_target_history", args=[target.pk]))
    table = page.content.decode().split('id="change-history"')[1].split("</table>")[0]
    assert "การเปลี่ยนแปลง" in table  # the "Changes" column
    assert "None" not in table and "ไม่มี" not in table
    assert table.count("—") >= 2
