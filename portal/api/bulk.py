"""The liaison's decision sheet: read, validate whole, apply every row through the state machine.

A sheet (CSV or XLSX, read with ``portal.reading`` so the encoding rules and bounds are the project's) has
one decision per row, on a case (``case_reference``) or on one of its items (``item_url``). The
whole file is checked first; then every row is applied in one transaction through
``takedowns.transitions`` (the admin's rules and refusals; decisions on whole cases in one batch
with ``cases_record_decisions``); one error anywhere and nothing is kept.
Rows that already hold exactly their decision are left alone, so uploading a file twice changes
nothing the second time.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.api.choices import RowOutcome, UploadStatus
from portal.api.models import DecisionUpload
from portal.api.services import case_decision_record, item_decision_record
from portal.bulk import InArray
from portal.dates import parse_datetime
from portal.importing import CSV, unescape_row
from portal.reading import UnreadableFileError, read_table
from portal.xlsx import Header, workbook_bytes
from takedowns.decisions import (
    CaseDecision,
    DecisionsRefused,
    ItemDecision,
    case_not_found_message,
    cases_record_decisions,
    decision_value_check,
    items_record_outcomes,
    platform_decisions,
    ticket_id_check,
)
from takedowns.models import InfringingItem
from takedowns.normalize import normalize_url
from takedowns.selectors import cases_visible_to
from takedowns.transitions import implied_steps

CASE_REFERENCE = "case_reference"
ITEM_URL = "item_url"
TICKET = "ippc_ticket_id"
DECISION = "decision"
DECIDED_AT = "decided_at"
REASON = "reason_code"
NOTE = "note"
COLUMNS = (CASE_REFERENCE, ITEM_URL, TICKET, DECISION, DECIDED_AT, REASON, NOTE)
COLUMN_HELP = {
    CASE_REFERENCE: gettext_lazy(
        "Case reference, e.g. TD-2026-000123 (or leave empty and give the item URL)"
    ),
    ITEM_URL: gettext_lazy(
        "The reported link, for a decision on one item; empty for the whole case"
    ),
    TICKET: gettext_lazy("IPPC ticket id (optional)"),
    DECISION: gettext_lazy("For a case: the state it moves to; for an item: its outcome"),
    DECIDED_AT: gettext_lazy(
        "When the platform decided, e.g. 2026-11-25 14:30 (Bangkok time); empty = now"
    ),
    REASON: gettext_lazy("Reason code; required for a refusal or an information request"),
    NOTE: gettext_lazy("Note; required for a refusal or an information request"),
}
MAX_ROWS = 20_000
MAX_CELL = 4000


@dataclass
class Row:
    number: int
    values: dict
    errors: list = field(default_factory=list)  # [(column, message)]
    outcome: str = RowOutcome.NOT_APPLIED
    case: object = None
    item: object = None
    decided_at: datetime | None = None

    def error(self, column: str, message) -> None:
        self.errors.append((column, str(message)))

    def as_result(self) -> dict:
        return {
            "row": self.number,
            "case_reference": self.values.get(CASE_REFERENCE, ""),
            "item_url": self.values.get(ITEM_URL, ""),
            "decision": self.values.get(DECISION, ""),
            "outcome": RowOutcome.ERROR if self.errors else self.outcome,
            "errors": [{"column": c, "message": m} for c, m in self.errors],
        }


class SheetError(ValueError):
    """The file as a whole cannot be read (format, encoding, columns, size)."""


def read_sheet(*, data: bytes, file_name: str) -> list[Row]:
    """Rows of the sheet, values as stripped text (dates from XLSX stay dates) without the
    export's formula escape, as on every import path; or SheetError. Rows are numbered as the
    file numbers them (the header is row 1); at most ``MAX_ROWS``, counted as the file is read."""
    name = file_name.lower()
    if name.endswith(".csv"):
        file_format = "csv"
    elif name.endswith(".xlsx"):
        file_format = "xlsx"
    else:
        raise SheetError(_("Upload a .csv or .xlsx file."))
    try:
        table = read_table(data, file_format, max_rows=MAX_ROWS)
        headers = [str(h or "").strip().lower() for h in table.header]
        unknown = [h for h in headers if h and h not in COLUMNS]
        if unknown:
            raise SheetError(
                _("Unknown column %(columns)s. Expected columns: %(expected)s.")
                % {"columns": ", ".join(unknown), "expected": ", ".join(COLUMNS)}
            )
        if DECISION not in headers or not ({CASE_REFERENCE, ITEM_URL} & set(headers)):
            raise SheetError(
                _("The file needs a %(decision)s column and a %(case)s or %(item)s column.")
                % {"decision": DECISION, "case": CASE_REFERENCE, "item": ITEM_URL}
            )
        rows = []
        for number, raw in table:
            values = {}
            for header, cell in zip(headers, raw, strict=False):
                if not header:
                    continue
                if isinstance(cell, datetime | date):
                    values[header] = cell
                else:
                    values[header] = "" if cell is None else str(cell).strip()
            if not any(values.values()):
                continue  # a blank line
            rows.append(Row(number=number, values=unescape_row(values)))
    except UnreadableFileError as error:
        raise SheetError(str(error)) from error
    if not rows:
        raise SheetError(_("The file has no rows."))
    return rows


def _parse_when(value) -> datetime:
    """A decision's time as ``portal.dates.parse_datetime`` reads it (a BE year too); a day alone
    is its noon."""
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(12, 0))
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError
    return moment


def _check_values(row: Row) -> None:
    values = row.values
    for column in COLUMNS:
        text = values.get(column, "")
        if isinstance(text, str) and (len(text) > MAX_CELL or "\x00" in text):
            row.error(column, _("The cell is too long or holds a NUL character."))
    reference, url = values.get(CASE_REFERENCE, ""), values.get(ITEM_URL, "")
    if not reference and not url:
        row.error(CASE_REFERENCE, _("Give the case reference or the item URL."))
    values[DECISION] = str(values.get(DECISION, "")).lower()
    try:
        decision_value_check(values[DECISION], on_item=bool(url))
    except ValidationError as error:
        row.error(DECISION, " ".join(error.messages))
    when = values.get(DECIDED_AT, "")
    if when not in ("", None):
        try:
            row.decided_at = _parse_when(when)
        except (ValueError, TypeError, OverflowError):
            row.error(
                DECIDED_AT,
                _("“%(value)s” is not a date and time (e.g. 2026-11-25 14:30).") % {"value": when},
            )
    try:
        ticket_id_check(values.get(TICKET, ""))
    except ValidationError as error:
        row.error(TICKET, " ".join(error.messages))


def validate_rows(*, rows: list[Row], user) -> None:
    """Check every row without writing: values, cases and items the user may see, repeats."""
    for row in rows:
        _check_values(row)
    visible = cases_visible_to(user=user)
    references = {r.values.get(CASE_REFERENCE) for r in rows} - {"", None}
    # what the sheet reads of a case; the batch locks and reads the rest (and copies it here)
    found = (
        visible.filter(InArray(F("reference"), references))
        .only("id", "reference", "state", "version")
        .order_by()
    )
    cases = {case.reference: case for case in found}
    urls = {}
    for row in rows:
        url = row.values.get(ITEM_URL, "")
        if url:
            try:
                urls[row.number] = normalize_url(str(url))
            except ValueError:
                row.error(ITEM_URL, _("“%(value)s” is not a web address.") % {"value": url})
    items_by_url: dict[str, list] = {}
    if urls:
        for item in (
            InfringingItem.objects.filter(case__in=visible, normalized_url__in=set(urls.values()))
            .select_related("case")
            .order_by("-is_open", "-id")
        ):
            items_by_url.setdefault(item.normalized_url, []).append(item)
    first_row_of: dict[tuple, int] = {}
    for row in rows:
        reference = row.values.get(CASE_REFERENCE, "")
        if reference:
            row.case = cases.get(reference)
            if row.case is None:
                row.error(CASE_REFERENCE, case_not_found_message(reference))
        if row.number in urls:
            candidates = items_by_url.get(urls[row.number], [])
            if reference:
                candidates = [i for i in candidates if i.case.reference == reference]
            elif len([i for i in candidates if i.is_open]) == 1:
                candidates = candidates[:1]
            if not candidates and reference:
                row.error(
                    ITEM_URL,
                    _("Case %(reference)s has no item with this URL.") % {"reference": reference},
                )
            elif not candidates:
                row.error(ITEM_URL, _("No item with this URL found."))
            elif len(candidates) > 1:
                row.error(ITEM_URL, _("Several cases report this URL: give the case reference."))
            else:
                row.item = candidates[0]
                row.case = row.item.case
        target = ("item", row.item.pk) if row.item else ("case", row.case.pk) if row.case else None
        if target:
            first = first_row_of.setdefault(target, row.number)
            if first != row.number:
                column = ITEM_URL if row.item else CASE_REFERENCE
                row.error(
                    column,
                    _("Row %(row)s repeats the decision of row %(first)s.")
                    % {"row": row.number, "first": first},
                )


class _RollBack(Exception):
    pass


def _refused(row: Row, error: Exception) -> None:
    if isinstance(error, PermissionDenied):
        row.error(DECISION, str(error) or _("Your role may not make this move."))
    else:
        row.error(DECISION, " ".join(error.messages))


def apply_rows(*, rows: list[Row], user, change_reason: str = "") -> None:
    """Apply every valid row through the state machine in one transaction; any error (found
    before or while applying) rolls all of it back. Sets each row's outcome.

    Decisions on whole cases go to ``takedowns.decisions.cases_record_decisions`` in one batch,
    after the steps they imply (e.g. forwarded -> removed passes through the platform's review),
    each step its own move, recorded for all those cases in a batch of their own. Rows on the
    items of a case that has only item rows in the file, none giving a ticket id, go to
    ``items_record_outcomes`` in one batch, in the file's order; the rows of the other cases with
    item rows (a case row too, or a ticket id on an item row) go one at a time."""
    valid = [row for row in rows if not row.errors]
    item_cases = {row.case.pk for row in valid if row.item is not None}
    batch = [row for row in valid if row.item is None and row.case.pk not in item_cases]
    # a case with item rows only, none setting the ticket id: its items in a batch of their own
    mixed = {row.case.pk for row in valid if row.item is None or row.values.get(TICKET)}
    item_batch = [row for row in valid if row.item is not None and row.case.pk not in mixed]
    in_batch = {row.number for row in batch + item_batch}
    try:
        with transaction.atomic():
            touched: set[int] = set()
            for row in valid:
                if row.number in in_batch:
                    continue
                try:
                    changed = _apply(row, user, touched, change_reason)
                    row.outcome = RowOutcome.CHANGED if changed else RowOutcome.UNCHANGED
                except (ValidationError, PermissionDenied) as error:
                    _refused(row, error)
            _record_batch(item_batch, items_record_outcomes, _item_decision_of, user, change_reason)
            _implied_steps_record(batch, user, change_reason)
            batch = [row for row in batch if not row.errors]
            _record_batch(batch, cases_record_decisions, _decision_of, user, change_reason)
            if any(row.errors for row in rows):
                raise _RollBack
    except _RollBack:
        for row in rows:
            if not row.errors:
                row.outcome = RowOutcome.NOT_APPLIED


def _implied_steps_record(rows: list[Row], user, change_reason: str) -> None:
    """The steps the decisions of ``rows`` imply, as the one-at-a-time path records them (no
    note, the row's stated time): the n-th step of every row in one batch. A refused step is its
    row's error; the others are then recorded without it, so that each row's own decision is
    still checked against the state its steps lead to."""
    steps = [(row, implied_steps(row.case.state, row.values[DECISION])) for row in rows]
    for level in range(max((len(implied) for _row, implied in steps), default=0)):
        pending = [(row, implied[level]) for row, implied in steps if len(implied) > level]
        while pending:
            try:
                cases_record_decisions(
                    decisions=[
                        CaseDecision(case=row.case, to_state=step, reported_at=row.decided_at)
                        for row, step in pending
                    ],
                    actor=user,
                    change_reason=change_reason,
                )
            except DecisionsRefused as refused:  # nothing of the batch was written
                for index, error in refused.errors.items():
                    _refused(pending[index][0], error)
                pending = [(row, step) for row, step in pending if not row.errors]
                continue
            break
        steps = [(row, implied) for row, implied in steps if not row.errors]


def _item_decision_of(row: Row) -> ItemDecision:
    values = row.values
    return ItemDecision(
        item=row.item,
        outcome=values[DECISION],
        reason_code=values.get(REASON, ""),
        note=values.get(NOTE, ""),
        reported_at=row.decided_at,
    )


def _record_batch(rows: list[Row], record, decision_of, user, change_reason: str) -> None:
    """Record ``rows`` with one batch service (``record``); each refused row gets its error,
    the others their outcome."""
    if not rows:
        return
    try:
        changed = record(
            decisions=[decision_of(row) for row in rows], actor=user, change_reason=change_reason
        )
    except DecisionsRefused as refused:
        for index, error in refused.errors.items():
            _refused(rows[index], error)
    else:
        for row, row_changed in zip(rows, changed, strict=True):
            row.outcome = RowOutcome.CHANGED if row_changed else RowOutcome.UNCHANGED


def _decision_of(row: Row) -> CaseDecision:
    values = row.values
    return CaseDecision(
        case=row.case,
        to_state=values[DECISION],
        note=values.get(NOTE, ""),
        reason_code=values.get(REASON, ""),
        reported_at=row.decided_at,
        ippc_ticket_id=values.get(TICKET, "") or None,
    )


def _apply(row: Row, user, touched: set[int], change_reason: str) -> bool:
    values = row.values
    case = row.case
    if case.pk in touched:  # an earlier row of this file changed the case: work on fresh data
        case.refresh_from_db()
        if row.item is not None:
            row.item.refresh_from_db()
    touched.add(case.pk)
    reason, note = values.get(REASON, ""), values.get(NOTE, "")
    ticket = values.get(TICKET, "") or None
    if row.item is None:
        for step in implied_steps(case.state, values[DECISION]):
            case_decision_record(
                case=case,
                decision=step,
                actor=user,
                reported_at=row.decided_at,
                change_reason=change_reason,
            )
        return case_decision_record(
            case=case,
            decision=values[DECISION],
            actor=user,
            note=note,
            reason_code=reason,
            reported_at=row.decided_at,
            ippc_ticket_id=ticket,
            change_reason=change_reason,
        )
    changed = item_decision_record(
        item=row.item,
        outcome=values[DECISION],
        actor=user,
        note=note,
        reason_code=reason,
        reported_at=row.decided_at,
        change_reason=change_reason,
    )
    if ticket:
        case.refresh_from_db()
        changed |= case_decision_record(
            case=case,
            decision=case.state,
            actor=user,
            ippc_ticket_id=ticket,
            change_reason=change_reason,
        )
    return changed


def decision_upload_process(*, data: bytes, file_name: str, user) -> DecisionUpload:
    """Read, validate and apply a decision sheet; returns the stored upload with per-row results.

    Raises SheetError when the file as a whole cannot be read (nothing is stored then).
    """
    rows = read_sheet(data=data, file_name=file_name)
    validate_rows(rows=rows, user=user)
    sha256 = hashlib.sha256(data).hexdigest()
    apply_rows(
        rows=rows, user=user, change_reason=f"Decision upload {sha256[:12]}: {file_name}"[:100]
    )
    results = [row.as_result() for row in rows]
    errors = sum(1 for row in rows if row.errors)
    return DecisionUpload.objects.create(
        uploaded_by=user,
        file_name=file_name[:255],
        sha256=sha256,
        status=UploadStatus.REFUSED if errors else UploadStatus.APPLIED,
        row_count=len(rows),
        changed_count=sum(1 for r in results if r["outcome"] == RowOutcome.CHANGED),
        unchanged_count=sum(1 for r in results if r["outcome"] == RowOutcome.UNCHANGED),
        error_count=errors,
        results=results,
    )


#: The template's example row (a decision on a whole case; replace it with the real ones).
EXAMPLE_ROW = ("TD-2026-000123", "", "IPPC-1234", "removed", "2026-11-25 14:30", "", "")


def sheet_template(*, fmt: str) -> tuple[bytes, str]:
    """A decision sheet with the expected columns and one example row (XLSX: plus a sheet of
    allowed values)."""
    import tablib

    from takedowns.models import ReasonCode

    sheet = tablib.Dataset(EXAMPLE_ROW, headers=list(COLUMNS), title="decisions")
    if fmt == "csv":
        return CSV().export_data(sheet).encode("utf-8-sig"), "text/csv; charset=utf-8"
    codes = ReasonCode.objects.filter(active=True).values_list("code", flat=True)
    help_lines = [
        Header(["column", "meaning / allowed values"]),
        *([column, str(COLUMN_HELP[column])] for column in COLUMNS),
        ["decision (case)", ", ".join(platform_decisions(on_item=False))],
        ["decision (item)", ", ".join(platform_decisions(on_item=True))],
        ["reason_code", ", ".join(codes)],
    ]
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    decisions = [Header(COLUMNS), list(EXAMPLE_ROW)]
    return workbook_bytes([("decisions", decisions), ("help", help_lines)]), content_type
