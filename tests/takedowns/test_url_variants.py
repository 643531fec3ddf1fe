"""Issue 24, item 7: a listing open in one case cannot be reported again under another spelling of
its URL (``takedowns.normalize``): scheme, host, ``//``, dot segments, percent-encoding, trailing
slash, handle case and parameters that do not name the listing. Also the data migration that
recomputes the stored normal forms."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from takedowns import case_items
from takedowns.models import Evidence, InfringingItem, MonitoringSweep, SweepFinding
from takedowns.normalize import normalize_url

from .admin_helpers import new_case_data
from .conftest import make_case
from .test_import_export import admin_import

pytestmark = pytest.mark.django_db
VIDEO = "https://www.tiktok.com/@seller068/video/7301234567890123456"
#: The three spellings that were taken as new reports while ``VIDEO`` was open.
REPORTED_VARIANTS = (
    "tiktok.com//@seller068/video/7301234567890123456",
    "https://www.tiktok.com/@SELLER068/video/7301234567890123456",
    "https://www.tiktok.com/@seller068/video/7301234567890123456?lang=th",
)
migration = importlib.import_module("takedowns.migrations.0011_normal_urls_and_evidence_items")


@pytest.fixture
def open_video(right, officer):
    case = make_case(right, items=0)
    case_items.item_add(case=case, actor=officer, url=VIDEO, kind="video")
    return case


def test_the_reported_variants_have_the_listings_normal_form():
    assert {normalize_url(url) for url in REPORTED_VARIANTS} == {
        "https://tiktok.com/@seller068/video/7301234567890123456"
    }
    # an identifying parameter stays: two SKUs of one product are two listings
    assert normalize_url("https://shop.tiktok.com/view/product/17?sku_id=1&lang=th") != (
        normalize_url("https://shop.tiktok.com/view/product/17?sku_id=2")
    )
    # a short link stands for an address only the platform knows: its code keeps its case
    assert normalize_url("https://vt.tiktok.com/ZSabc/") == "https://vt.tiktok.com/ZSabc"
    assert normalize_url("https://vt.tiktok.com/ZSabc") != normalize_url("vt.tiktok.com/zsabc")


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_reported_variants_of_an_open_listing_are_duplicates_on_the_case_page(
    role, open_video, right, role_users, client_for
):
    client = client_for(role_users[role])
    add = reverse("admin:takedowns_takedowncase_add")
    for url in REPORTED_VARIANTS:
        data = new_case_data(
            client.get(add),
            right,
            **{"items-TOTAL_FORMS": "1", "items-0-kind": "video", "items-0-url": url},
        )
        response = client.post(add, data)
        assert response.status_code == 200, url
        assert open_video.reference in response.content.decode(), url
    assert InfringingItem.objects.count() == 1


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_reported_variants_of_an_open_listing_are_duplicates_in_imports(
    role, open_video, right, role_users, client_for
):
    client = client_for(role_users[role])
    draft = make_case(right, items=0)
    for url in REPORTED_VARIANTS:
        csv = f"case_reference,kind,url\r\n{draft.reference},video,{url}\r\n".encode()
        response, confirmed = admin_import(client, "infringingitem", csv)
        assert confirmed is None, url
        assert open_video.reference in response.content.decode(), url
    assert InfringingItem.objects.count() == 1


# --- the data migration ----------------------------------------------------------------------


def test_migration_recomputes_stored_normal_forms(right, officer):
    """Values stored under the old normal form are brought to the new one; where two open items
    now share it, the earlier keeps it and the later its old value (the unique index holds)."""
    first, second, closed = (make_case(right, items=0) for _ in range(3))
    old_forms = {
        "https://tiktok.com/@Seller068/video/1": first,
        "https://tiktok.com/@SELLER068/video/1": second,
        "https://tiktok.com//@seller068/video/2": closed,
    }
    for old, case in old_forms.items():
        InfringingItem.objects.bulk_create(
            [InfringingItem(case=case, kind="video", url=old, normalized_url=old)]
        )
    InfringingItem.objects.filter(case=closed).update(is_open=False)
    sweep = MonitoringSweep.objects.create(
        officer=officer, swept_on="2026-11-20", searched_video=True, minutes_spent=30
    )
    SweepFinding.objects.bulk_create(
        [SweepFinding(sweep=sweep, url=u, normalized_url=u, observed="x") for u in old_forms]
    )
    migration.recompute_item_urls(apps, None)
    migration.recompute_finding_urls(apps, None)
    stored = dict(InfringingItem.objects.values_list("case", "normalized_url"))
    assert stored == {
        first.pk: "https://tiktok.com/@seller068/video/1",
        second.pk: "https://tiktok.com/@SELLER068/video/1",  # the same listing, open in `first`
        closed.pk: "https://tiktok.com/@seller068/video/2",
    }
    assert sorted(SweepFinding.objects.values_list("normalized_url", flat=True)) == [
        "https://tiktok.com/@SELLER068/video/1",
        "https://tiktok.com/@seller068/video/1",
        "https://tiktok.com/@seller068/video/2",
    ]
    with pytest.raises(ValidationError) as error:
        InfringingItem.objects.get(case=second).full_clean()
    assert first.reference in str(error.value)


def test_migration_unlinks_evidence_from_an_item_of_another_case(right):
    draft, forwarded = make_case(right), make_case(right)
    stray, own = (
        Evidence.objects.create(
            case=forwarded, item=item, captured_at="2026-11-20T10:00:00+07:00", sha256=digest
        )
        for item, digest in ((draft.items.get(), "a" * 64), (forwarded.items.get(), "b" * 64))
    )
    migration.unlink_items_of_other_cases(apps, None)
    stray.refresh_from_db(), own.refresh_from_db()
    assert (stray.item, own.item) == (None, forwarded.items.get())
