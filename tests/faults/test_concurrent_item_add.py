"""Issue 16, item "Two officers adding the same URL at once": both pass the duplicate check, the
database's unique index lets one in, and the other gets the duplicate check's own message (the
same words and link), never a 500 (IntegrityError). Each request runs in a thread of its own, on
its own PostgreSQL connection; a barrier holds both until each has passed the check."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from takedowns import case_items
from takedowns.choices import ItemKind
from takedowns.models import DuplicateItemError, InfringingItem
from tests.takedowns.admin_helpers import post_data
from tests.takedowns.conftest import make_case

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

URL = "https://shop.tiktok.com/view/product/424242?utm_source=a"


@pytest.fixture
def checks_meet(monkeypatch):
    """Each thread waits, once all its checks have passed (the duplicate check in ``clean``, then
    the constraints, which a form and ``full_clean`` validate last), for the other's before either
    writes: waiting after ``clean`` alone let the slower thread's constraint check see the faster
    one's row, now and then, and answer with the constraint's own message."""
    barrier = threading.Barrier(2)
    first_check = threading.local()
    validate_constraints = InfringingItem.validate_constraints

    def checks_then_wait(item, *args, **kwargs):
        validate_constraints(item, *args, **kwargs)
        if not getattr(first_check, "done", False):
            first_check.done = True
            barrier.wait(timeout=10)

    monkeypatch.setattr(InfringingItem, "validate_constraints", checks_then_wait)
    return barrier


def run_both(work):
    outcomes = [None, None]

    def run(index):
        try:
            outcomes[index] = work(index)
        except Exception as error:  # the 500 this test is about
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_officers_adding_the_same_url_at_once_get_the_duplicate_message(
    right, officer, supervisor, checks_meet, record_fault, _drop_swapped_out_tables
):
    """Through the case page of the admin, as two people would."""
    cases = [make_case(right, items=0), make_case(right, items=0)]
    pages = []
    clients = []
    for user, case in zip((officer, supervisor), cases, strict=True):
        client = Client()
        client.force_login(user)
        url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
        data = post_data(
            client.get(url),
            **{
                "items-TOTAL_FORMS": "1",
                "items-0-kind": "listing",
                "items-0-url": URL,
                "items-0-case": str(case.pk),
            },
        )
        clients.append(client)
        pages.append((url, data))

    responses = run_both(lambda i: clients[i].post(*pages[i]))
    record_fault()

    assert not any(isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 302], responses
    winner = InfringingItem.objects.get().case
    refused = next(r for r in responses if r.status_code == 200)
    assert str(DuplicateItemError.message_for(winner)) in refused.content.decode()
    assert refused.context["inline_admin_formsets"][0].formset.forms[0]["url"].value() == URL
    assert InfringingItem.objects.count() == 1


def test_the_item_service_turns_the_race_into_the_duplicate_check_message(
    right, officer, supervisor, checks_meet, record_fault, _drop_swapped_out_tables
):
    """The one place items are written (``case_items.item_save``, under ``item_add``)."""
    cases = [make_case(right, items=0), make_case(right, items=0)]
    actors = [officer, supervisor]

    outcomes = run_both(
        lambda i: case_items.item_add(
            case=cases[i], actor=actors[i], url=URL, kind=ItemKind.LISTING
        )
    )
    record_fault()

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    winner = InfringingItem.objects.get().case
    # The threads run in the default language (an earlier test may have left another active here).
    with translation.override(settings.LANGUAGE_CODE):
        expected = {"url": [str(DuplicateItemError.message_for(winner))]}
        assert errors[0].message_dict == expected


def test_an_import_job_that_loses_the_race_reports_the_row_and_writes_nothing(
    right, officer, supervisor, monkeypatch, record_fault, _drop_swapped_out_tables
):
    """A background import of items: someone reports the second row's URL between its check and
    its write. The job's result names that row as the file numbers it (the header is row 1, so
    row 3) with the duplicate message; the first row is not written."""
    import tablib

    from portal.engine import FileImporter
    from takedowns.resources import InfringingItemResource

    mine, theirs = make_case(right, items=0), make_case(right, items=0)
    check_unique = FileImporter._check_unique
    reported = threading.Event()

    def check_then_someone_reports(importer, checked):
        check_unique(importer, checked)  # the chunk's last check: its write comes next
        if not reported.is_set():
            reported.set()
            run_both(
                lambda i: (
                    i == 0
                    and case_items.item_add(case=theirs, actor=supervisor, url=URL, kind="listing")
                )
            )

    monkeypatch.setattr(FileImporter, "_check_unique", check_then_someone_reports)
    dataset = tablib.Dataset(headers=["case_reference", "kind", "url"])
    dataset.append([mine.reference, "listing", "https://shop.tiktok.com/view/product/1"])
    dataset.append([mine.reference, "listing", "https://shop.tiktok.com/view/product/424242"])
    outcome = FileImporter(InfringingItemResource(), dataset, user=officer).run()
    record_fault()

    assert [(p.row, p.column) for p in outcome.errors] == [(3, "url")], outcome.errors
    assert outcome.errors[0].reason == str(DuplicateItemError.message_for(theirs))
    assert list(InfringingItem.objects.values_list("case", flat=True)) == [theirs.pk]
