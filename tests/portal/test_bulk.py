"""Rows written with COPY are those ``bulk_create`` writes, history records included."""

import datetime
import sys
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portal import bulk
from portal.bulk import (
    COPY_SWITCH_INTERVAL,
    copies_in_background,
    copy_insert_values,
    copy_insert_with_history,
    update_with_history,
)
from portal.models import Target
from tests.jobs.conftest import workstream  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def targets(workstream, prefix):  # noqa: F811
    return [
        Target(
            workstream=workstream,
            name=f"{prefix} ตัวชี้วัด {i}",
            metric="gi_products_listed",
            target_value=Decimal("10.50") + i,
            unit="cases",
            period_start=datetime.date(2026, 1, 1),
            due_date=datetime.date(2026, 12, 31),
        )
        for i in range(3)
    ]


def stored(prefix):
    rows = Target.objects.filter(name__startswith=prefix).order_by("name").values()
    return [{k: v for k, v in row.items() if k != "id"} | {"name": row["name"][2:]} for row in rows]


def history(prefix):
    rows = Target.history.filter(name__startswith=prefix).order_by("name").values()
    ignore = {"id", "history_id", "history_date", "name"}
    return [{k: v for k, v in row.items() if k not in ignore} for row in rows]


def test_rows_and_history_are_those_bulk_create_writes(workstream):  # noqa: F811
    user = get_user_model().objects.create_user("importer")
    copied = copy_insert_with_history(
        Target, targets(workstream, "A:"), user=user, change_reason="job #1"
    )
    assert all(target.pk and not target._state.adding for target in copied)
    bulk_create_with_history(
        targets(workstream, "B:"), Target, default_user=user, default_change_reason="job #1"
    )
    assert stored("A:") == stored("B:") and len(stored("A:")) == 3
    assert history("A:") == history("B:")
    assert history("A:")[0]["history_user_id"] == user.pk
    assert history("A:")[0]["history_type"] == "+"
    # the next rows the usual way get the next ids: the sequence was used
    assert Target.objects.create(**{**stored("A:")[0], "name": "C"}).pk > max(
        target.pk for target in copied
    )


def test_updates_and_history_are_those_bulk_update_with_history_writes(workstream):  # noqa: F811
    user = get_user_model().objects.create_user("importer")
    for prefix in ("A:", "B:"):
        bulk_create_with_history(targets(workstream, prefix), Target, default_user=user)
    changed = {}
    for prefix in ("A:", "B:"):
        changed[prefix] = list(Target.objects.filter(name__startswith=prefix).order_by("name"))
        for number, target in enumerate(changed[prefix]):
            target.target_value = Decimal("99.25") + number
            target.unit = "sellers"
    fields = ["target_value", "unit"]
    with CaptureQueriesContext(connection) as queries:
        assert update_with_history(
            Target, changed["A:"], fields, user=user, change_reason="import of t.csv"
        )
    bulk_update_with_history(
        changed["B:"],
        Target,
        fields,
        default_user=user,
        default_change_reason="import of t.csv",
    )
    assert stored("A:") == stored("B:")
    assert {row["unit"] for row in stored("A:")} == {"sellers"}
    assert history("A:") == history("B:") and len(history("A:")) == 6
    assert [row["history_type"] for row in history("A:")].count("~") == 3
    assert len(queries) == 2  # one UPDATE for the rows, one INSERT ... SELECT for their history


def test_update_with_history_leaves_what_it_cannot_write_alike(workstream):  # noqa: F811
    """An instance that carries its own history values: simple-history's path, nothing written."""
    bulk_create_with_history(targets(workstream, "A:"), Target)
    target = Target.objects.filter(name__startswith="A:").first()
    target.unit, target._change_reason = "sellers", "its own reason"
    assert not update_with_history(Target, [target], ["unit"])
    assert Target.objects.get(pk=target.pk).unit == "cases"


def test_rows_from_values_are_those_bulk_create_writes(workstream):  # noqa: F811
    values = [
        {
            "workstream_id": workstream.pk,
            "name": f"{prefix} ตัวชี้วัด",
            "metric": "gi_products_listed",
            "target_value": Decimal("10.50"),
            "period_start": datetime.date(2026, 1, 1),
            "due_date": datetime.date(2026, 12, 31),
        }
        for prefix in ("A:", "B:")
    ]
    copy_insert_values(Target, values[:1])  # "unit" and the rest take their defaults
    Target.objects.bulk_create([Target(**values[1])])
    assert stored("A:") == stored("B:") and len(stored("A:")) == 1


def test_a_file_column_is_written_as_bulk_create_writes_it(settings, tmp_path):
    """A file's name as the row holds it is written as it is; a file not stored yet is stored
    first, under the field's folder, as saving the row stores it."""
    from django.core.files.base import ContentFile

    from takedowns.models import ProtectedRight, RightsHolder

    settings.MEDIA_ROOT = str(tmp_path)
    holder = RightsHolder.objects.create(name="วิสาหกิจชุมชน")

    def rights(prefix):
        certificates = [
            "",
            "takedowns/certificates/2026/12/kept.pdf",
            ContentFile(b"%PDF-1.4\n", name="new.pdf"),
        ]
        return [
            ProtectedRight(right_type="trademark", name=f"{prefix}{n}", owner=holder, certificate=c)
            for n, c in enumerate(certificates)
        ]

    copy_insert_with_history(ProtectedRight, rights("A:"))
    bulk_create_with_history(rights("B:"), ProtectedRight)
    written = {
        prefix: list(
            ProtectedRight.objects.filter(name__startswith=prefix)
            .order_by("name")
            .values_list("certificate", flat=True)
        )
        for prefix in ("A:", "B:")
    }
    assert written["A:"][:2] == written["B:"][:2] == ["", "takedowns/certificates/2026/12/kept.pdf"]
    assert written["A:"][2].startswith("takedowns/certificates/")
    assert (tmp_path / written["A:"][2]).read_bytes() == b"%PDF-1.4\n"
    history_names = ProtectedRight.history.filter(name__startswith="A:").order_by("name")
    assert list(history_names.values_list("certificate", flat=True)) == written["A:"]


def test_copies_sent_in_the_background_are_stored_before_the_next_query(workstream):  # noqa: F811
    user = get_user_model().objects.create_user("importer")
    with copies_in_background():
        copied = copy_insert_with_history(Target, targets(workstream, "A:"), user=user)
        assert all(target.pk for target in copied)  # numbered before the copy is sent
        assert len(stored("A:")) == 3  # this query waited for the copy
    assert len(history("A:")) == 3
    # the history records were numbered by the database: the next ones follow
    assert Target.history.order_by("-history_id")[0].history_id > 0


@pytest.mark.requires_postgres("copies in the background")
def test_ids_are_taken_on_a_connection_of_their_own_while_the_store_is_busy(
    workstream,  # noqa: F811
    monkeypatch,
):
    """While earlier copies are still being stored, the next rows' ids come from the table's
    sequence on another connection (a query on the transaction's would wait for the store); the
    rows are written with them, in the block's transaction, and the next ids follow."""
    with copies_in_background():
        background = bulk._background.get()
        monkeypatch.setattr(background, "busy", lambda: True)
        with CaptureQueriesContext(connection) as queries:
            copied = copy_insert_with_history(Target, targets(workstream, "A:"))
        assert background.numbering.settings_dict["NAME"] == connection.settings_dict["NAME"]
        assert not any("nextval" in query["sql"] for query in queries)
        monkeypatch.setattr(background, "busy", lambda: False)
        later = copy_insert_with_history(Target, targets(workstream, "B:"))
    ids = [target.pk for target in copied]
    assert ids == sorted(ids) and min(target.pk for target in later) > max(ids)
    written = dict(Target.objects.filter(pk__in=ids).values_list("pk", "name"))
    assert written == {target.pk: target.name for target in copied}
    assert len(history("A:")) == 3
    assert background.numbering.connection is None  # closed with the block


@pytest.mark.requires_postgres("copies in the background")
def test_ids_are_asked_on_the_transactions_connection_when_no_other_can_be_had(
    workstream,  # noqa: F811
    monkeypatch,
):
    """The server at its connection limit: the ids are asked on the transaction's own connection
    (after the store), once the block's own could not be opened; it is not tried again."""
    from django.db import OperationalError

    attempts = []

    def refused(alias):
        attempts.append(alias)
        raise OperationalError("sorry, too many clients already")

    monkeypatch.setattr(bulk.connections, "create_connection", refused)
    with copies_in_background():
        background = bulk._background.get()
        monkeypatch.setattr(background, "busy", lambda: True)
        with CaptureQueriesContext(connection) as queries:
            copied = copy_insert_with_history(Target, targets(workstream, "A:"))
            copy_insert_with_history(Target, targets(workstream, "B:"))
    assert background.numbering is False and attempts == ["default"]
    assert sum("nextval" in query["sql"] for query in queries) == 2
    assert all(target.pk for target in copied) and len(stored("A:")) == len(stored("B:")) == 3


@pytest.mark.requires_postgres("copies in the background")
def test_threads_switch_promptly_while_copies_run_in_the_background(workstream):  # noqa: F811
    """The copy thread gets the interpreter within half a millisecond, not the default 5 ms, for
    as long as any block runs (two threads' blocks may overlap); after the last one, and after an
    error, the process's own interval is back."""
    own = sys.getswitchinterval()
    assert own > COPY_SWITCH_INTERVAL
    entered, leave = threading.Event(), threading.Event()

    def other_block():
        with copies_in_background("default"):
            entered.set()
            leave.wait(10)

    with copies_in_background():
        assert sys.getswitchinterval() == COPY_SWITCH_INTERVAL
        other = threading.Thread(target=other_block)  # its own connection, its own block
        other.start()
        assert entered.wait(10)
    assert sys.getswitchinterval() == COPY_SWITCH_INTERVAL  # the other block still runs
    leave.set()
    other.join()
    assert sys.getswitchinterval() == own
    bad = targets(workstream, "A:")
    bad[1].target_value = Decimal("-1")
    with pytest.raises(IntegrityError), transaction.atomic(), copies_in_background():
        copy_insert_with_history(Target, bad)
    assert sys.getswitchinterval() == own


def test_a_background_copy_refused_by_the_database_raises_in_the_block(workstream):  # noqa: F811
    bad = targets(workstream, "A:")
    bad[1].target_value = Decimal("-1")  # the table's check constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic(), copies_in_background():
        copy_insert_with_history(Target, bad)
    assert stored("A:") == []  # nothing of the block is kept, and the connection works


@pytest.mark.requires_postgres("deferred foreign keys and SET CONSTRAINTS")
def test_a_background_copy_checks_its_foreign_keys_as_it_stores_the_rows(workstream):  # noqa: F811
    """Django's foreign keys are checked at commit; a background copy checks them as it stores
    the rows (on the database's side while Python goes on), then leaves them deferred again."""
    from django.db import connection

    bad = targets(workstream, "A:")
    bad[2].workstream_id = workstream.pk + 1000  # no such workstream
    with transaction.atomic():
        with pytest.raises(IntegrityError, match="workstream"), copies_in_background():
            copy_insert_with_history(Target, bad)  # raised by the block, before any commit
        transaction.set_rollback(True)
    assert stored("A:") == []
    with transaction.atomic():  # deferred again after a good copy: checked at commit only
        with copies_in_background():
            copy_insert_with_history(Target, targets(workstream, "B:"))
        Target.objects.filter(name__startswith="B:").update(workstream_id=workstream.pk + 1000)
        with pytest.raises(IntegrityError), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


def test_history_records_keep_each_row_s_own_user_and_reason(workstream):  # noqa: F811
    """Rows that carry their own history values (``_history_user``, ``_change_reason``) keep
    them; the others get the batch's (made by the database from the rows as stored)."""
    batch_user = get_user_model().objects.create_user("importer")
    own_user = get_user_model().objects.create_user("reviewer")
    rows = targets(workstream, "A:")
    rows[0]._change_reason, rows[0]._history_user = "reviewed", own_user
    copy_insert_with_history(Target, rows, user=batch_user, change_reason="job #2")
    copy_insert_with_history(Target, targets(workstream, "B:"), user=batch_user)
    records = Target.history.order_by("name").values_list(
        "name", "history_user_id", "history_change_reason", "history_type"
    )
    assert [(name[:2], user, reason, kind) for name, user, reason, kind in records] == [
        ("A:", own_user.pk, "reviewed", "+"),
        ("A:", batch_user.pk, "job #2", "+"),
        ("A:", batch_user.pk, "job #2", "+"),
        ("B:", batch_user.pk, "", "+"),
        ("B:", batch_user.pk, "", "+"),
        ("B:", batch_user.pk, "", "+"),
    ]


def test_a_binary_parameters_cursor_is_logged_and_wrapped_as_django_s_own():
    from django.db import DataError, connection
    from django.test.utils import CaptureQueriesContext

    from portal.bulk import binary_parameters_cursor

    when = datetime.datetime(2026, 11, 25, 14, 30, tzinfo=datetime.UTC)
    with CaptureQueriesContext(connection) as queries, binary_parameters_cursor(connection) as cur:
        cur.execute(
            "SELECT CAST(%b AS integer[]), CAST(%b AS text[]), CAST(%b AS timestamptz[])",
            [[1, None], ["ก", ""], [when, None]],
        )
        assert cur.fetchone() == ([1, None], ["ก", ""], [when, None])
    assert len(queries) == 1  # counted as every other query is
    with (
        pytest.raises(DataError),  # Django's error, not psycopg's
        transaction.atomic(),
        binary_parameters_cursor(connection) as cur,
    ):
        cur.execute("SELECT CAST(%b AS smallint[])", [[2**40]])


def test_in_array_finds_what_in_finds_with_one_parameter(workstream):  # noqa: F811
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from portal.bulk import InArray

    Target.objects.bulk_create(targets(workstream, "ia"))
    pks = list(Target.objects.values_list("pk", flat=True)) + [0, -1]
    names = [*Target.objects.values_list("name", flat=True), "ไม่มี"]
    for field, values in (("pk", pks[1:]), ("name", names[:2]), ("pk", [])):
        with CaptureQueriesContext(connection) as queries:
            found = set(Target.objects.filter(InArray(F(field), values)))
        assert found == set(Target.objects.filter(**{f"{field}__in": values}))
        assert "= ANY(" in queries[0]["sql"]
    assert Target.objects.filter(InArray(F("pk"), pks)).count() == 3


def test_a_text_column_of_choice_members_is_written_as_it_is(workstream):  # noqa: F811
    """A choice's enum member (a str) needs no conversion per value: the column is written as
    it is, and stored as ``bulk_create`` stores it."""
    from portal.bulk import db_values
    from portal.choices import TargetMetric

    field = Target._meta.get_field("metric")
    column = [TargetMetric.GI_PRODUCTS_LISTED, "gi_products_listed", None]
    assert db_values(field, column, connection) is column
    assert [field.get_db_prep_save(value, connection) for value in column] == column
    copied, created = targets(workstream, "A:"), targets(workstream, "B:")
    for target in copied + created:
        target.metric = TargetMetric.GI_PRODUCTS_LISTED
    copy_insert_with_history(Target, copied)
    Target.objects.bulk_create(created)
    assert stored("A:") == stored("B:") and {row["metric"] for row in stored("A:")} == {
        "gi_products_listed"
    }
