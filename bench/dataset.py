"""Build the benchmark dataset with PostgreSQL COPY (psycopg 3 ``cursor.copy``).

Rows go straight into the apps' real tables. Every column a row does not set gets the model
field's default (or NULL / "" / False), so a column added to a model later does not break the
build. Foreign keys are checked once at the end (``session_replication_role = replica`` during the
load skips the per-row trigger checks), then sequences are moved past the loaded ids and the
tables are analysed.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

BANGKOK = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=BANGKOK)
CASE_YEARS = 5

THAI_WORDS = [
    "ข้าวหอมมะลิ",
    "ทุ่งกุลาร้องไห้",
    "ผ้าไหม",
    "แพรวา",
    "กาแฟ",
    "ดอยช้าง",
    "ส้มโอ",
    "นครชัยศรี",
    "มะขามหวาน",
    "เพชรบูรณ์",
    "ทุเรียน",
    "หมอนทอง",
    "ลำไย",
    "เชียงใหม่",
    "สับปะรด",
    "ภูแล",
    "ผ้าฝ้าย",
    "เกลือ",
    "สมุทรสาคร",
    "ปลาร้า",
    "สินค้าปลอม",
    "แบรนด์ดัง",
    "ไลฟ์สด",
    "คลิป",
    "ร้านค้า",
    "ของแท้",
    "ราคาถูก",
    "ลดพิเศษ",
]


#: Seats of every training session the bench loads.
SESSION_CAPACITY = 40


@dataclass
class Sizes:
    cases: int = 1_000_000
    extra_items: int = 500_000  # beyond one item per case: 1.5 million items in all
    platform_sellers: int = 100_000
    gi_sellers: int = 100_000
    attendances: int = 10_000
    holders: int = 2_000
    rights: int = 5_000
    detail_cases: int = 20  # cases with exactly 20 items and 30 events (the detail-page figure)

    @classmethod
    def scaled(cls, cases: int) -> Sizes:
        factor = cases / 1_000_000
        return cls(
            cases=cases,
            extra_items=int(500_000 * factor),
            platform_sellers=max(50, int(100_000 * factor)),
            gi_sellers=max(50, int(100_000 * factor)),
            attendances=max(50, int(10_000 * factor)),
            holders=max(10, int(2_000 * factor)),
            rights=max(20, int(5_000 * factor)),
            detail_cases=min(20, max(2, cases // 100)),
        )


def _column_defaults(model, given) -> dict[str, object]:
    """attname -> value for every other concrete column, from the model field's own default."""
    values = {}
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given or field.column in given:
            continue
        if field.default is not NOT_PROVIDED:
            value = field.default() if callable(field.default) else field.default
            if isinstance(value, dt.datetime):
                value = now
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.null:
            value = None
        elif isinstance(field, models.CharField | models.TextField | models.FileField):
            value = ""
        elif isinstance(field, models.BooleanField):
            value = False
        elif isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            value = 0
        elif isinstance(field, models.JSONField):
            value = {}
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no value and no default")
        values[field.attname] = value
    return values


def copy_into(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY ``rows`` (tuples in ``columns`` order, ``id`` first) into ``model``'s table."""
    defaults = _column_defaults(model, set(columns))
    filled = list(defaults)
    tail = tuple(defaults[c] for c in filled)
    all_columns = ", ".join(connection.ops.quote_name(c) for c in [*columns, *filled])
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor
        with raw.copy(f"COPY {table} ({all_columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + tail if tail else row)
                count += 1
    return count


class indexes_dropped:
    """Drop a table's indexes that back no constraint while it is loaded; build them after."""

    def __init__(self, *models_):
        self.tables = [m._meta.db_table for m in models_]
        self.definitions: list[tuple[str, str]] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid "
                    "WHERE i.indrelid = %s::regclass AND c.oid IS NULL",
                    [table],
                )
                found = cursor.fetchall()
                self.definitions += found
                for name, _definition in found:
                    cursor.execute(f"DROP INDEX {name}")
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("SET max_parallel_maintenance_workers = 2")
            for _name, definition in self.definitions:
                cursor.execute(definition)
        return False


def _reset_sequence(model) -> None:
    table = model._meta.db_table
    pk = model._meta.pk.column
    if not isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f"GREATEST((SELECT MAX({connection.ops.quote_name(pk)}) FROM "
            f"{connection.ops.quote_name(table)}), 1))",
            [table, pk],
        )


def _thai_tin(rng: random.Random, serial: int) -> str:
    digits = [rng.choice((0, 1, 3)), *map(int, f"{serial:011d}")]
    total = sum(d * (13 - i) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((11 - total % 11) % 10)


SYLLABLES = [
    "ka",
    "ki",
    "ku",
    "ke",
    "ko",
    "sa",
    "si",
    "su",
    "se",
    "so",
    "ta",
    "ti",
    "tu",
    "te",
    "to",
    "na",
    "ni",
    "nu",
    "ne",
    "no",
    "ma",
    "mi",
    "mu",
    "me",
    "mo",
    "ra",
    "ri",
    "ru",
    "re",
    "ro",
    "ya",
    "yu",
    "yo",
    "wa",
    "pa",
    "pi",
    "pu",
    "pe",
    "po",
    "ba",
    "bi",
    "bu",
    "be",
    "bo",
    "cha",
    "chi",
    "chu",
    "pla",
    "pra",
    "kla",
    "kra",
    "tha",
    "thi",
    "noi",
    "nam",
    "dee",
    "suay",
    "shop",
    "store",
    "thai",
    "gi",
    "silk",
    "rice",
    "coffee",
    "durian",
    "mango",
    "live",
    "sale",
    "best",
]


def _handles(rng: random.Random, count: int) -> list[str]:
    """Distinct, varied seller handles (as diverse as real ones, for trigram selectivity)."""
    seen: set[str] = set()
    while len(seen) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        tail = rng.choice(("", "_", ".", "_official", ".th", str(rng.randint(1, 9999))))
        seen.add(f"{name}{tail}")
    return sorted(seen, key=lambda _h: rng.random())


def _item_url(rng: random.Random, kind: str, handle: str) -> str:
    """A realistic TikTok link for an item: random 19-digit ids, one shape per kind."""
    number = rng.randint(10**18, 10**19 - 1)
    if kind == "live":
        return f"https://www.tiktok.com/@{handle}/live?room_id={number}"
    if kind == "video":
        return f"https://www.tiktok.com/@{handle}/video/{number}?is_from_webapp=1"
    if kind == "shop":
        return f"https://shop.tiktok.com/view/shop/{number}?region=TH"
    if kind == "account":
        return f"https://www.tiktok.com/@{handle}?id={number}"
    return f"https://shop.tiktok.com/view/product/{number}?region=TH&locale=th-TH"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(THAI_WORDS) for _ in range(words))


def build(sizes: Sizes, *, log: Callable[[str], None] = print, seed: int = 7) -> dict:
    """Load everything; returns a few ids the measurements need."""
    from gi_catalog.choices import SellerKind
    from gi_catalog.models import Seller
    from portal.models import Province
    from takedowns.choices import (
        CaseState,
        HolderKind,
        InfringementType,
        ItemKind,
        ItemOutcome,
        Priority,
        ReporterBasis,
        RightType,
    )
    from takedowns.models import (
        InfringingItem,
        PlatformSeller,
        ProtectedRight,
        RightsHolder,
        StatusEvent,
        TakedownCase,
    )
    from training import models as training

    rng = random.Random(seed)
    timings = {}
    User = get_user_model()
    officers = [
        User.objects.get_or_create(username=f"bench-officer-{i}", defaults={"is_staff": True})[0]
        for i in range(10)
    ]
    officer_ids = [u.pk for u in officers]
    province_ids = list(Province.objects.values_list("pk", flat=True))

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # FK triggers: checked at the end

    def timed(name, func):
        started = time.perf_counter()
        count = func()
        timings[name] = (count, time.perf_counter() - started)
        log(f"  {name:<22} {count:>10,} rows  {timings[name][1]:6.1f} s")

    # --- rights holders and rights -------------------------------------------------------------
    holder_kinds = HolderKind.values
    timed(
        "rights holders",
        lambda: copy_into(
            RightsHolder,
            ["id", "name", "kind", "contact_email"],
            (
                (
                    i,
                    f"บริษัท {_text(rng, 2)} จำกัด {i}",
                    rng.choice(holder_kinds),
                    f"ip{i}@example.co.th",
                )
                for i in range(1, sizes.holders + 1)
            ),
        ),
    )
    right_owner = {i: rng.randint(1, sizes.holders) for i in range(1, sizes.rights + 1)}
    non_gi = [t for t in RightType.values if t != RightType.GI]
    timed(
        "protected rights",
        lambda: copy_into(
            ProtectedRight,
            ["id", "right_type", "name", "registration_number", "owner_id"],
            (
                (i, rng.choice(non_gi), _text(rng, 2), f"TM{i:08d}", right_owner[i])
                for i in range(1, sizes.rights + 1)
            ),
        ),
    )

    # --- platform sellers and GI sellers --------------------------------------------------------
    handles = _handles(rng, sizes.platform_sellers)
    timed(
        "platform sellers",
        lambda: copy_into(
            PlatformSeller,
            ["id", "handle", "case_count", "last_reported_at"],
            ((i + 1, h, 0, NOW) for i, h in enumerate(handles)),
        ),
    )
    seller_kinds = SellerKind.values
    timed(
        "GI sellers",
        lambda: copy_into(
            Seller,
            ["id", "name", "kind", "tax_id", "province_id", "tiktok_shop_handle", "tiktok_shop_id"],
            (
                (
                    i,
                    f"วิสาหกิจชุมชน{_text(rng, 2)} {i}",
                    rng.choice(seller_kinds),
                    _thai_tin(rng, i),
                    rng.choice(province_ids) if province_ids else None,
                    f"gi_shop_{i}",
                    f"{7_000_000_000 + i}",
                )
                for i in range(1, sizes.gi_sellers + 1)
            ),
        ),
    )

    # --- cases, items, events -------------------------------------------------------------------
    states = CaseState.values
    weights = [
        {
            "draft": 3,
            "dip_review": 2,
            "ready_to_forward": 1,
            "forwarded": 2,
            "under_platform_review": 3,
            "info_requested": 1,
            "removed": 30,
            "partially_removed": 5,
            "not_removed": 6,
            "already_unavailable": 3,
            "appealed": 1,
            "removal_upheld": 2,
            "reinstated": 1,
            "closed": 38,
            "withdrawn": 2,
        }.get(s, 1)
        for s in states
    ]
    decided = {
        "removed",
        "partially_removed",
        "not_removed",
        "already_unavailable",
        "appealed",
        "removal_upheld",
        "reinstated",
        "closed",
    }
    forwarded = decided | {"forwarded", "under_platform_review", "info_requested"}
    open_states = set(states) - {"closed", "withdrawn"}
    span = CASE_YEARS * 365 * 86400
    case_state: dict[int, str] = {}
    case_created: dict[int, dt.datetime] = {}
    detail_ids = set(range(1, sizes.detail_cases + 1))

    def case_rows():
        priorities = Priority.values
        inf_types = InfringementType.values
        for i in range(1, sizes.cases + 1):
            state = "forwarded" if i in detail_ids else rng.choices(states, weights)[0]
            created = NOW - dt.timedelta(seconds=int(span * (1 - i / (sizes.cases + 1))))
            right = rng.randint(1, sizes.rights)
            fwd = created + dt.timedelta(hours=rng.randint(2, 72)) if state in forwarded else None
            dec = (
                fwd + dt.timedelta(hours=rng.randint(1, 120)) if fwd and state in decided else None
            )
            removed = (
                dec
                if state in {"removed", "partially_removed", "removal_upheld", "closed"}
                else None
            )
            case_state[i] = state
            case_created[i] = created
            yield (
                i,
                f"TD-{created.year}-{i:07d}",
                state,
                f"{_text(rng, 4)} #{i}",
                right_owner[right],
                right,
                rng.choice(inf_types),
                rng.choice(priorities),
                f"เจ้าหน้าที่ {i % 97}",
                f"officer{i % 97}@ipthailand.go.th",
                ReporterBasis.OWNER,
                rng.choice(officer_ids),
                f"IPPC-{i:08d}" if fwd else "",
                created,
                created,
                created,
                fwd,
                dec,
                removed,
                dec if state == "closed" else None,
                int((removed - fwd).total_seconds()) if removed else None,
                fwd + dt.timedelta(days=3) if fwd else None,
            )

    rebuilt = indexes_dropped(TakedownCase, InfringingItem, StatusEvent)
    rebuilt.__enter__()
    timed(
        "takedown cases",
        lambda: copy_into(
            TakedownCase,
            [
                "id",
                "reference",
                "state",
                "title",
                "rights_holder_id",
                "right_id",
                "infringement_type",
                "priority",
                "reporter_name",
                "reporter_email",
                "reporter_basis",
                "assigned_officer_id",
                "ippc_ticket_id",
                "created_at",
                "updated_at",
                "submitted_at",
                "forwarded_at",
                "decided_at",
                "removed_at",
                "closed_at",
                "takedown_seconds",
                "sla_due_at",
            ],
            case_rows(),
        ),
    )

    item_kinds = ItemKind.values
    outcome_for = {
        "removed": ItemOutcome.REMOVED,
        "removal_upheld": ItemOutcome.REMOVED,
        "closed": ItemOutcome.REMOVED,
        "not_removed": ItemOutcome.NOT_REMOVED,
        "already_unavailable": ItemOutcome.ALREADY_UNAVAILABLE,
        "reinstated": ItemOutcome.REINSTATED,
    }
    seller_cases: dict[int, int] = {}
    sample_item = sizes.cases // 2 + 1
    sample: dict[str, str] = {}

    def item_case_ids():
        yield from range(1, sizes.cases + 1)
        for case_id in detail_ids:
            yield from [case_id] * 19
        for _ in range(sizes.extra_items - 19 * len(detail_ids)):
            yield rng.randint(1, sizes.cases)

    def item_rows():
        from takedowns.normalize import normalize_url

        for item_id, case_id in enumerate(item_case_ids(), start=1):
            seller = rng.randint(1, sizes.platform_sellers)
            seller_cases[seller] = seller_cases.get(seller, 0) + 1
            handle = handles[seller - 1]
            kind = rng.choice(item_kinds)
            url = _item_url(rng, kind, handle)
            normalized = normalize_url(url)
            if item_id == sample_item:
                sample["url"] = normalized
            state = case_state[case_id]
            yield (
                item_id,
                case_id,
                kind,
                url,
                normalized,
                handle,
                seller,
                f"{_text(rng, 3)}",
                outcome_for.get(state, ItemOutcome.PENDING),
                state in open_states,
                case_created[case_id],
            )

    timed(
        "infringing items",
        lambda: copy_into(
            InfringingItem,
            [
                "id",
                "case_id",
                "kind",
                "url",
                "normalized_url",
                "seller_handle",
                "seller_id",
                "title",
                "outcome",
                "is_open",
                "created_at",
            ],
            item_rows(),
        ),
    )

    path = ["draft", "dip_review", "ready_to_forward", "forwarded", "under_platform_review"]

    def event_rows():
        event_id = 0
        for case_id in range(1, sizes.cases + 1):
            state = case_state[case_id]
            at = case_created[case_id]
            steps = 30 if case_id in detail_ids else None
            chain = (
                [*path, state]
                if state in decided
                else path[: path.index(state) + 1]
                if state in path
                else ["draft", state]
            )
            if steps:
                chain = (path * 7)[:steps]
            previous = ""
            for to_state in chain:
                event_id += 1
                at = at + dt.timedelta(hours=1)
                yield (event_id, case_id, previous, to_state, rng.choice(officer_ids), at, "")
                previous = to_state

    timed(
        "status events",
        lambda: copy_into(
            StatusEvent,
            ["id", "case_id", "from_state", "to_state", "actor_id", "at", "note"],
            event_rows(),
        ),
    )
    started = time.perf_counter()
    rebuilt.__exit__(None, None, None)
    timings["indexes"] = (len(rebuilt.definitions), time.perf_counter() - started)
    log(
        f"  {'indexes built after the load':<22} {len(rebuilt.definitions):>10,} idx   "
        f"{timings['indexes'][1]:6.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_seller_counts (id bigint, n int)")
        with cursor.cursor.copy("COPY bench_seller_counts (id, n) FROM STDIN") as copy:
            for seller, count in seller_cases.items():
                copy.write_row((seller, count))
        cursor.execute(
            f"UPDATE {PlatformSeller._meta.db_table} s SET case_count = c.n "
            "FROM bench_seller_counts c WHERE s.id = c.id"
        )

    # --- training -------------------------------------------------------------------------------
    def training_rows():
        from training.choices import Division, PlatformTool, SessionMode

        courses = 20
        sessions = max(5, sizes.attendances // 25)
        participants = max(10, sizes.attendances // 4)
        copy_into(
            training.Course,
            ["id", "code", "title_th", "title_en", "tool"],
            (
                (i, f"C-{i:03d}", _text(rng, 3), f"Course {i}", rng.choice(PlatformTool.values))
                for i in range(1, courses + 1)
            ),
        )
        copy_into(
            training.TrainingSession,
            ["id", "course_id", "reference", "starts_at", "ends_at", "mode", "trainer", "capacity"],
            (
                (
                    i,
                    rng.randint(1, courses),
                    f"S-{i:05d}",
                    NOW - dt.timedelta(days=i),
                    NOW - dt.timedelta(days=i) + dt.timedelta(hours=3),
                    rng.choice(SessionMode.values),
                    "TikTok Shop Academy",
                    SESSION_CAPACITY,
                )
                for i in range(1, sessions + 1)
            ),
        )
        copy_into(
            training.Participant,
            ["id", "name", "division", "email"],
            (
                (i, f"ผู้เข้าอบรม {i}", rng.choice(Division.values), f"staff{i}@ipthailand.go.th")
                for i in range(1, participants + 1)
            ),
        )
        pairs = set()
        seats_taken = dict.fromkeys(range(1, sessions + 1), 0)
        while len(pairs) < sizes.attendances:
            pair = (rng.randint(1, sessions), rng.randint(1, participants))
            if pair not in pairs and seats_taken[pair[0]] < SESSION_CAPACITY:
                pairs.add(pair)  # no session over its seats: its page saves as it is
                seats_taken[pair[0]] += 1

        def rows():
            for i, (session, participant) in enumerate(sorted(pairs), start=1):
                attended = rng.random() < 0.9
                completed = attended and rng.random() < 0.8
                yield (
                    i,
                    session,
                    participant,
                    NOW,
                    attended,
                    rng.randint(50, 100) if attended else None,
                    completed,
                    NOW.date() if completed else None,
                    f"CERT-{i:06d}" if completed else None,
                )

        return copy_into(
            training.Attendance,
            [
                "id",
                "session_id",
                "participant_id",
                "registered_at",
                "attended",
                "score",
                "completed",
                "completed_on",
                "certificate_number",
            ],
            rows(),
        )

    timed("training attendances", training_rows)

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
    started = time.perf_counter()
    loaded = [
        RightsHolder,
        ProtectedRight,
        PlatformSeller,
        Seller,
        TakedownCase,
        InfringingItem,
        StatusEvent,
        training.Course,
        training.TrainingSession,
        training.Participant,
        training.Attendance,
    ]
    _check_foreign_keys(loaded)
    for model in loaded:
        _reset_sequence(model)
    _continue_case_references()
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would have by then: visibility map and hint bits set, so reads
        # measure a settled database, not the first pass over freshly copied pages.
        # (Not possible inside a transaction: the tests' toy dataset is only analysed.)
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    log(f"  {'checks, sequences, VACUUM ANALYZE':<33} {time.perf_counter() - started:6.1f} s")
    return {
        "detail_case_id": min(detail_ids),
        "sample_handle": handles[len(handles) // 2],
        "sample_url": sample["url"],
        "timings": timings,
    }


def _continue_case_references() -> None:
    """Each year's reference counter after the highest number the dataset gave that year (as a
    portal that numbered its cases itself has it): a new case's reference comes after the others
    in the reference indexes, as it does in production, and never repeats one."""
    from takedowns.models import CaseReferenceCounter, TakedownCase

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT split_part(reference, '-', 2)::int, max(split_part(reference, '-', 3)::int)"
            f" FROM {TakedownCase._meta.db_table} GROUP BY 1"
        )
        highest = dict(cursor.fetchall())
    CaseReferenceCounter.objects.all().delete()
    CaseReferenceCounter.objects.bulk_create(
        CaseReferenceCounter(year=year, last_number=number) for year, number in highest.items()
    )


def _check_foreign_keys(loaded_models) -> None:
    """The per-row checks skipped during COPY, as one anti-join per foreign key."""
    for model in loaded_models:
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or not field.db_constraint:
                continue
            table = model._meta.db_table
            target = field.related_model._meta.db_table
            column = field.column
            target_column = field.target_field.column
            with connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" t LEFT JOIN "{target}" r '
                    f'ON t."{column}" = r."{target_column}" '
                    f'WHERE t."{column}" IS NOT NULL AND r."{target_column}" IS NULL'
                )
                missing = cursor.fetchone()[0]
            if missing:
                raise RuntimeError(f"{table}.{column}: {missing} rows point nowhere")


def sample_of_existing() -> dict:
    """The ids ``build`` returns, found again in an already built database (``--reuse``)."""
    from django.db.models import Count

    from takedowns.models import InfringingItem, TakedownCase

    detail = (
        TakedownCase.objects.filter(pk__lte=100)
        .annotate(n=Count("items"))
        .filter(n=20)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    middle = InfringingItem.objects.order_by("-pk").values_list("pk", flat=True).first() // 2
    item = InfringingItem.objects.filter(pk__gte=middle).order_by("pk").first()
    return {
        "detail_case_id": detail,
        "sample_handle": item.seller_handle,
        "sample_url": item.normalized_url,
        "timings": {},
    }


#: Rows made for each model whose import page the big dataset leaves empty (the page's limit).
PAGE_ROWS = 2000


def add_import_page_rows(*, rows: int = PAGE_ROWS, seed: int = 11, log=print) -> None:
    """Rows for the import pages ``build`` leaves empty, so ``bench/import_pages.py`` can send
    each page its own export: the register of GIs (the command the project ships), then ``rows``
    GI authorizations, promotion activities, sweep findings (over 20 sweeps) and consultations.
    A table that already has rows is left as it is (an existing bench database gets them once).
    """
    from django.core.management import call_command

    from gi_catalog.choices import ActivityKind
    from gi_catalog.models import GIAuthorization, GIProduct, PromotionActivity, Seller
    from portal.models import Province
    from takedowns.models import MonitoringSweep, ProtectedRight, SweepFinding, normalize_handle
    from takedowns.normalize import normalize_url
    from training.choices import ConsultationChannel, ConsultationTopic
    from training.models import Consultation, Participant

    rng = random.Random(seed)
    started = time.perf_counter()
    if not GIProduct.objects.exists():
        call_command("load_gi_register", verbosity=0)
    products = list(GIProduct.objects.values_list("pk", flat=True))
    sellers = list(Seller.objects.order_by("pk").values_list("pk", flat=True)[: rows * 2])
    day = dt.date(2025, 1, 1)
    made = {}
    if products and sellers and not GIAuthorization.objects.exists():
        made["GI authorizations"] = GIAuthorization.objects.bulk_create(
            GIAuthorization(
                seller_id=sellers[i % len(sellers)],
                product_id=rng.choice(products),
                certificate_number=f"GI-AUTH-{i:06d}",
                valid_from=day + dt.timedelta(days=i % 700),
                valid_until=day + dt.timedelta(days=i % 700 + 3 * 365),
            )
            for i in range(rows)
        )
    if not PromotionActivity.objects.exists():
        made["promotion activities"] = PromotionActivity.objects.bulk_create(
            PromotionActivity(
                kind=rng.choice(ActivityKind.values),
                title=f"{_text(rng, 4)} #{i}",
                held_on=day + dt.timedelta(days=i % 700),
                url=f"https://www.tiktok.com/@gi.shop{i % 300}/video/{7300000000000000000 + i}",
                seller_id=sellers[i % len(sellers)] if sellers else None,
                views=rng.randrange(100, 100_000),
                orders=rng.randrange(0, 500),
            )
            for i in range(rows)
        )
    if not SweepFinding.objects.exists():
        officer = get_user_model().objects.filter(username__startswith="bench-officer").first()
        sweeps = MonitoringSweep.objects.bulk_create(
            MonitoringSweep(
                officer=officer,
                swept_on=day + dt.timedelta(days=7 * i),
                searched_product_search=True,
                keywords=_text(rng, 3),
                minutes_spent=90,
            )
            for i in range(20)
        )
        rights = list(ProtectedRight.objects.values_list("pk", flat=True)[:200])
        findings = []
        for i in range(rows):
            handle = normalize_handle(f"fake.shop{i % 400}")
            url = f"https://shop.tiktok.com/view/product/{1729500000000000000 + i}"
            findings.append(
                SweepFinding(
                    sweep=sweeps[i % len(sweeps)],
                    url=url,
                    normalized_url=normalize_url(url),
                    seller_handle=handle,
                    observed=_text(rng, 6),
                    right_id=rng.choice(rights) if rights else None,
                )
            )
        made["sweep findings"] = SweepFinding.objects.bulk_create(findings)
    advisers = list(Participant.objects.values_list("pk", flat=True)[:50])
    provinces = list(Province.objects.values_list("pk", flat=True))
    if advisers and not Consultation.objects.exists():
        made["consultations"] = Consultation.objects.bulk_create(
            Consultation(
                seller_id=sellers[i % len(sellers)] if sellers else None,
                entrepreneur_name=f"ผู้ประกอบการ {i}",
                province_id=rng.choice(provinces) if provinces else None,
                topic=rng.choice(ConsultationTopic.values),
                channel=rng.choice(ConsultationChannel.values),
                consulted_on=day + dt.timedelta(days=i % 700),
                adviser_id=advisers[i % len(advisers)],
                summary=_text(rng, 8),
            )
            for i in range(rows)
        )
    for label, objs in made.items():
        log(f"  {label:<22} {len(objs):>10,} rows")
    if made:
        log(f"  {'rows for the import pages':<33} {time.perf_counter() - started:6.1f} s")
