"""CSV/XLSX import and export of cases and their items (django-import-export via PortalResource).

- Cases: one row per case, keyed by ``reference``. A blank reference creates a draft case (its
  reference is generated); a known reference updates that case while DIP may still edit it; an
  unknown one is a row error (so a re-import never creates a second copy).
- Items: one row per item, keyed by the normalised URL, attached to a case by its reference. A URL
  already open in another case is a row error naming that case.
Exports go through the portal's formats, which escape formula-like cells.
"""

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import connections
from django.db.models import F, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import fields, widgets

from portal.bulk import InArray, copy_insert_values, copy_insert_with_history
from portal.importing import (
    DateTimeWidget,
    PortalResource,
    PreloadingForeignKeyWidget,
    own_copies,
)
from takedowns import case_items, transitions
from takedowns.choices import CaseState
from takedowns.models import (
    CaseReferenceCounter,
    DuplicateItemError,
    InfringingItem,
    ProtectedRight,
    RightsHolder,
    StatusEvent,
    TakedownCase,
    normalize_handle,
)
from takedowns.normalize import normalize_url


class _StrictForeignKeyWidget(PreloadingForeignKeyWidget):
    """A blank cell is None; a value that matches no row is a row error naming the column."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        found = self.preloaded(value)
        if found is not None:
            return found
        return super().clean(str(value).strip(), row=row, **kwargs)


ITEM_URLS_ANNOTATION = "export_item_urls"
_MISSING = object()


def with_item_urls(queryset):
    """``queryset`` with each case's item URLs (one per line, in item order) fetched alongside.

    PostgreSQL: a correlated ``string_agg`` subquery, so a streamed export (server-side cursor)
    reads them in the same statement. Elsewhere: one prefetch query per chunk of cases.
    """
    if ITEM_URLS_ANNOTATION in queryset.query.annotations:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        from django.contrib.postgres.aggregates import StringAgg

        urls = (
            InfringingItem.objects.filter(case=OuterRef("pk"))
            .order_by()
            .values("case")
            .annotate(urls=StringAgg("normalized_url", delimiter="\n", order_by="id"))
            .values("urls")
        )
        return queryset.annotate(**{ITEM_URLS_ANNOTATION: Subquery(urls)})
    return queryset.prefetch_related(
        Prefetch(
            "items",
            queryset=InfringingItem.objects.only("id", "case_id", "normalized_url").order_by("id"),
        )
    )


def _created_event_row(case: TakedownCase, actor) -> dict:
    """``transitions.case_created_event`` as the values a bulk insert writes."""
    values = transitions.case_created_event_values(case=case, note="import")
    return {"case_id": case.pk, "actor_id": getattr(actor, "pk", None), **values}


class _ItemUrlsField(fields.Field):
    """The case's item URLs, one per line.

    Export: from the ``with_item_urls`` annotation (a plain column, so the streamed export reads it
    with the other values); a case loaded without it reads its items. Import: the URLs of the cell
    that the case does not have yet are checked now and added once the case is saved (through
    ``case_items.item_add``, see ``TakedownCaseResource``); nothing is written to the case itself.
    """

    def get_value(self, obj):
        urls = getattr(obj, ITEM_URLS_ANNOTATION, _MISSING)
        if urls is _MISSING and obj.pk is None:  # a row being imported
            return ""
        if urls is _MISSING:
            urls = "\n".join(item.normalized_url for item in obj.items.all())
        return urls or ""

    def save(self, instance, row, is_m2m=False, **kwargs):
        pass  # read by TakedownCaseResource.import_instance


def _check_child(case, model, action: str, user) -> None:
    """``case_items.child_check`` for an import row: a refusal is the row's error."""
    try:
        case_items.child_check(case=case, model=model, action=action, actor=user)
    except PermissionDenied as error:
        raise ValidationError(str(error)) from None


def _stored(instance, field):
    """A Resource field's value on ``instance`` as the database would store it (``38.0`` typed in
    a spreadsheet is the ``38`` stored), as the import engine compares a row before skipping it."""
    try:
        model_field = instance._meta.get_field(field.attribute or "")
    except FieldDoesNotExist:
        return field.get_value(instance)
    if not model_field.concrete:
        return field.get_value(instance)
    value = getattr(instance, model_field.attname)
    try:
        return model_field.to_python(value)
    except ValidationError:
        return value  # the model's rules will say why


def _written_fields(resource, row, *, exclude=()) -> list:
    """The Resource's fields a row writes: the columns it has, not read-only, not ``exclude``."""
    return [
        f
        for f in resource.get_import_fields()
        if not f.readonly and f.column_name in row and not isinstance(f, exclude)
    ]


def _changed_columns(fields, instance, before: dict) -> list[str]:
    """The columns of ``fields`` whose stored value on ``instance`` is no longer ``before``'s
    (``before`` maps each column to ``_stored`` as it was before the row was read)."""
    return [f.column_name for f in fields if _stored(instance, f) != before[f.column_name]]


def _item_urls_of(case) -> list[str]:
    """The normalised URLs of a case's items, in item order: from the ``with_item_urls``
    annotation when the case was loaded with it, else one query (none for a new case)."""
    if case.pk is None:
        return []
    urls = getattr(case, ITEM_URLS_ANNOTATION, _MISSING)
    if urls is _MISSING:
        return list(case.items.order_by("pk").values_list("normalized_url", flat=True))
    return urls.split("\n") if urls else []


def _reference_of(row) -> str:
    """A file row's case reference as the import reads it ("" for a new case)."""
    return str(row.get("reference") or "").strip()


def _urls_of(cell) -> list[str]:
    """The URLs of an ``item_urls`` cell: one per line (or separated by spaces or commas)."""
    return [part for part in str(cell or "").replace(",", " ").split() if part]


def _local_time_column(name: str) -> fields.Field:
    """An export-only date and time, written in local time."""
    return fields.Field(attribute=name, column_name=name, readonly=True, widget=DateTimeWidget())


class TakedownCaseResource(PortalResource):
    reference = fields.Field(attribute="reference", column_name="reference")
    state = fields.Field(attribute="state", column_name="state", readonly=True)
    rights_holder = fields.Field(
        attribute="rights_holder",
        column_name="rights_holder",
        widget=_StrictForeignKeyWidget(RightsHolder, "name"),
    )
    right = fields.Field(
        attribute="right",
        column_name="right_registration_number",
        widget=_StrictForeignKeyWidget(ProtectedRight, "registration_number"),
    )
    items = _ItemUrlsField(attribute=ITEM_URLS_ANNOTATION, column_name="item_urls")
    created_at = _local_time_column("created_at")
    forwarded_at = _local_time_column("forwarded_at")
    decided_at = _local_time_column("decided_at")
    removed_at = _local_time_column("removed_at")
    takedown_seconds = fields.Field(
        attribute="takedown_seconds", column_name="takedown_seconds", readonly=True
    )
    ippc_ticket_id = fields.Field(
        attribute="ippc_ticket_id", column_name="ippc_ticket_id", readonly=True
    )

    #: Export-only columns (a re-imported export carries them; they are ignored) and defaults.
    optional_columns = (
        "state",
        "ippc_ticket_id",
        "created_at",
        "forwarded_at",
        "decided_at",
        "removed_at",
        "takedown_seconds",
        "item_urls",
        "description",
        "reporter_phone",
        "priority",
        "reporter_basis",
        "authorization_valid_from",
        "authorization_valid_until",
    )

    template_example = {
        "reference": "",
        "title": "ข้าวหอมมะลิปลอม ร้าน fake.rice",
        "description": "ร้านขายข้าวที่อ้างชื่อ GI โดยไม่ได้รับอนุญาต",
        "rights_holder": "วิสาหกิจชุมชนข้าวหอมมะลิทุ่งกุลา",
        "right_registration_number": "สช 49100001",
        "infringement_type": "gi_misuse",
        "priority": "normal",
        "reporter_name": "สมชาย ใจดี",
        "reporter_email": "officer@ipthailand.go.th",
        "reporter_phone": "02 547 4600",
        "reporter_basis": "dip_monitoring",
        "item_urls": "https://shop.tiktok.com/view/product/1729000000000000001",
    }

    class Meta(PortalResource.Meta):
        model = TakedownCase
        import_id_fields = ("reference",)
        fields = (
            "reference",
            "state",
            "title",
            "description",
            "rights_holder",
            "right",
            "infringement_type",
            "priority",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "reporter_basis",
            "authorization_valid_from",
            "authorization_valid_until",
            "ippc_ticket_id",
            "created_at",
            "forwarded_at",
            "decided_at",
            "removed_at",
            "takedown_seconds",
            "items",
        )
        export_order = fields

    def get_queryset(self):
        """The cases a file's rows update, with what the rows compare with: the rights holder
        and right (``import_field``) and the item URLs (``skip_row``, ``_new_item_urls``), so a
        case costs no query of its own (an export sent back: three per row before)."""
        return with_item_urls(super().get_queryset().select_related("rights_holder", "right"))

    def get_instances(self, rows: list[dict]) -> list:
        """Each row's case, by its reference, for a chunk of rows in one query (the import engine
        asks a chunk's at once); rows that name one case share it, as a lookup by key does. A
        blank reference is a new case (no case has one): a chunk of new cases asks nothing of the
        database, so the chunk's checks need not wait for the previous chunk's store. The cases
        ``before_import_rows`` loaded for the chunk are given once, without a query of their
        own; asked again (the engine checks a chunk again after its first bad row), the cases
        are read again."""
        references = list(map(_reference_of, rows))
        found, self._chunk_cases = getattr(self, "_chunk_cases", {}), {}
        missing = set(references) - {""} - found.keys()
        if missing:
            found = {**found, **self._cases_by_reference(missing)}
        return [found.get(reference) for reference in references]

    def _cases_by_reference(self, references: set[str]) -> dict:
        if not references:
            return {}
        cases = self.get_queryset().filter(InArray(F("reference"), references))
        return {case.reference: case for case in cases}

    def filter_export(self, queryset, **kwargs):
        """Every export path goes through here (``Resource.export`` for the admin's XLSX, and the
        streamed CSV of ``portal.jobs.exports``), unlike ``get_export_queryset``, which the admin
        never calls: the item URLs come with the cases, so the query count does not grow with rows.
        """
        return with_item_urls(super().filter_export(queryset, **kwargs))

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._row_of_new_url: dict[str, int] = {}  # an item URL added by two rows of one file
        self._last_numbers: dict[int, int] = {}  # year -> the last case number this file took
        for name in ("rights_holder", "right"):
            field = self.fields[name]
            if field.column_name in (dataset.headers or ()):
                field.widget.preload(dataset[field.column_name], reset=True)

    def before_import_rows(self, rows: list[dict]) -> None:
        """The cases a chunk of the file names, looked up at once (the import engine asks): the
        references ``before_import_row`` checks, and the cases ``get_instances`` then gives."""
        self._chunk_cases = self._cases_by_reference(set(map(_reference_of, rows)) - {""})

    def before_import_row(self, row, row_number=None, **kwargs):
        super().before_import_row(row, row_number=row_number, **kwargs)
        reference = _reference_of(row)
        row["reference"] = reference
        known = getattr(self, "_chunk_cases", {})  # by reference (before_import_rows)
        if (
            reference
            and reference not in known
            and not TakedownCase.objects.filter(reference=reference).exists()
        ):
            raise ValidationError(
                {
                    "reference": _(
                        "Unknown case reference “%(ref)s”: leave it blank to create a new case."
                    )
                    % {"ref": reference}
                }
            )

    def import_instance(self, instance, row, **kwargs):
        """Fill the case from the row; a case DIP may no longer edit refuses only a real change.

        An unchanged row of a forwarded or decided case (an export imported again) is skipped
        like any unchanged row (``skip_row``); a changed cell of such a case is a row error naming
        its column.
        """
        locked = instance.pk is not None and instance.state not in case_items.CASE_EDIT_STATES
        compared = _written_fields(self, row, exclude=_ItemUrlsField) if locked else []
        before = {f.column_name: _stored(instance, f) for f in compared}
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance._new_item_urls = []
        # a new case with a blank cell adds nothing and has nothing to keep: no call
        if "item_urls" in row and (instance.pk is not None or row["item_urls"]):
            try:
                instance._new_item_urls = self._new_item_urls(instance, row, kwargs)
            except ValidationError as error:
                errors["item_urls"] = error.error_list
        if locked:
            for column in _changed_columns(compared, instance, before):
                errors.setdefault(column, [self._locked_message(instance)])
            if instance._new_item_urls:
                errors["item_urls"] = [self._locked_message(instance)]
        if errors:
            raise ValidationError(errors)

    def before_diffs(self, instances: list) -> None:
        """The item URLs column of every previewed new case, in one query (not two per row);
        an updated case came with its URLs (``get_queryset``)."""
        prefetch_related_objects(
            [
                case
                for case in instances
                if case.pk is not None and not hasattr(case, ITEM_URLS_ANNOTATION)
            ],
            "items",
        )

    @staticmethod
    def _locked_message(case) -> str:
        return _("Case %(ref)s is “%(state)s”: it can no longer be changed by import.") % {
            "ref": case.reference,
            "state": CaseState(case.state).label,
        }

    def _new_item_urls(self, case, row, kwargs) -> list[str]:
        """The cell's URLs the case does not have yet, checked as adding them would check them.

        A URL of the case's that the cell leaves out is refused: an import adds items, it never
        removes one (that is done on the case page, where it is logged).
        """
        have = _item_urls_of(case)
        known = set(have)
        wanted = []
        for raw in _urls_of(row.get("item_urls")):
            if raw in known:  # already normal: normalising is idempotent (a property test)
                url = raw
            else:
                try:
                    url = normalize_url(raw)
                except ValueError:
                    raise ValidationError(
                        _("“%(value)s” is not a web address.") % {"value": raw}
                    ) from None
            if url not in wanted:
                wanted.append(url)
        left_out = [url for url in have if url not in wanted]
        if left_out:
            raise ValidationError(
                _("Items cannot be removed by import; remove them on the case page: %(urls)s.")
                % {"urls": ", ".join(left_out)}
            )
        new = [url for url in wanted if url not in have]
        if new:
            _check_child(case, InfringingItem, "add", kwargs.get("user"))
        row_number = kwargs.get("row_number")
        for url in new:
            duplicate = case_items.item_find_open_duplicate(url=url)
            if duplicate is not None:
                raise ValidationError(DuplicateItemError.message_for(duplicate.case))
            first = self._row_of_new_url.setdefault(url, row_number)
            if first != row_number:
                raise ValidationError(
                    _("Row %(row)s adds %(url)s, which row %(first)s adds too.")
                    % {"row": row_number, "url": url, "first": first}
                )
        return new

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if getattr(instance, "_new_item_urls", None):
            return False  # the case's own cells may be unchanged; its items are not
        return super().skip_row(instance, original, row, import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """A new case is saved through ``transitions.case_create`` (its first log entry too)."""
        if not is_create or self._meta.use_bulk:
            return super().save_instance(instance, is_create, row, **kwargs)
        self.before_save_instance(instance, row, **kwargs)
        user = kwargs.get("user")
        actor = user if getattr(user, "pk", None) else None
        transitions.case_create(case=instance, actor=actor, note="import")
        self.after_save_instance(instance, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self._add_items(instance, kwargs.get("user"))

    @staticmethod
    def _add_items(case, user) -> None:
        """The items a row adds, each through ``case_items.item_add`` (permission, state and the
        duplicate check, also against a concurrent report of the same URL)."""
        added = getattr(case, "_new_item_urls", ())
        for url in added:
            case_items.item_add(
                case=case, actor=user, url=url, kind=case_items.item_kind_for_url(url)
            )
        if added and hasattr(case, ITEM_URLS_ANNOTATION):  # what the preview's diff shows
            setattr(case, ITEM_URLS_ANNOTATION, "\n".join([*_item_urls_of(case), *added]))
        case._new_item_urls = []

    def bulk_write(self, created, updated, *, user, change_reason):
        """Write a validated chunk of an import job (``portal.engine``) in bulk.

        Does what saving each row does: new cases get their references from the year's counter
        (a block reserved in one statement per year, in row order), are inserted with their audit
        history rows (same user and change reason) and get their "created" status event; updated
        cases go through the Resource's own save one by one (rare in a big file).
        """
        actor = user if getattr(user, "pk", None) else None
        new = [case for case in created if not case.reference]
        by_year: dict[int, list[TakedownCase]] = {}
        local = timezone.get_current_timezone()  # once: looking it up costs more than the year
        for case in new:
            by_year.setdefault(case.created_at.astimezone(local).year, []).append(case)
        last_numbers = self._last_numbers  # of this import's transaction (before_import)
        for year, cases in by_year.items():
            if year in last_numbers:
                first = CaseReferenceCounter.reserve_more(
                    year=year, count=len(cases), last=last_numbers[year]
                )
            else:
                first = CaseReferenceCounter.reserve(year=year, count=len(cases))
            last_numbers[year] = first + len(cases) - 1
            for offset, case in enumerate(cases):
                case.reference = CaseReferenceCounter.reference(year, first + offset)
        if created:
            copy_insert_with_history(
                TakedownCase, created, user=actor, change_reason=change_reason or None
            )
            copy_insert_values(
                StatusEvent,
                [_created_event_row(case, actor) for case in created],
            )
        for case in created:
            self._add_items(case, actor)
        for case in updated:
            if change_reason:
                case._change_reason = change_reason
            if user is not None:
                case._history_user = user
            self.save_instance(case, False, {}, user=user, using_transactions=True, dry_run=False)


def _keep_url_of_same_address(field, instance, row) -> bool:
    """The row's (normalised) URL is the address the row's item already has: its URL stays as
    it was typed, so an exported file imported again changes nothing."""
    return (
        field.attribute == "url"
        and not instance._state.adding
        and bool(instance.normalized_url)
        and row.get("url") == instance.normalized_url
    )


class InfringingItemResource(PortalResource):
    case = fields.Field(
        attribute="case",
        column_name="case_reference",
        widget=_StrictForeignKeyWidget(TakedownCase, "reference"),
    )
    url = fields.Field(attribute="url", column_name="url")
    normalized_url = fields.Field(
        attribute="normalized_url", column_name="normalized_url", readonly=True
    )
    outcome = fields.Field(attribute="outcome", column_name="outcome", readonly=True)

    optional_columns = (
        "normalized_url",
        "outcome",
        "shop_id",
        "title",
        "price_thb",
        "seller_handle",
    )

    def template_examples(self, queryset):
        return queryset.filter(case__state__in=case_items.ITEM_EDIT_STATES)

    template_example = {
        "case_reference": "TD-2026-000001",
        "kind": "listing",
        "url": "https://shop.tiktok.com/view/product/1729000000000000001",
        "seller_handle": "fake.rice",
        "title": "ข้าวหอมมะลิทุ่งกุลา 5 กก.",
        "price_thb": 590,
    }

    class Meta(PortalResource.Meta):
        model = InfringingItem
        import_id_fields = ("url",)
        fields = (
            "case",
            "kind",
            "url",
            "normalized_url",
            "seller_handle",
            "shop_id",
            "title",
            "price_thb",
            "outcome",
        )
        export_order = fields

    def get_export_queryset(self, request=None, **kwargs):
        return super().get_export_queryset(**kwargs).select_related("case")

    def before_import_row(self, row, row_number=None, **kwargs):
        raw = str(row.get("url") or "").strip()
        try:
            row["url"] = normalize_url(raw) if raw else ""
        except ValueError:
            raise ValidationError(
                {"url": _("“%(value)s” is not a web address.") % {"value": raw}}
            ) from None
        if "seller_handle" in row:
            row["seller_handle"] = normalize_handle(str(row.get("seller_handle") or ""))
        super().before_import_row(row, row_number=row_number, **kwargs)

    def get_instance(self, instance_loader, row):
        return self.get_instances([row])[0]

    def get_instances(self, rows: list[dict]) -> list:
        """Each row's item, for many rows in one query (the import engine asks a chunk's at
        once): the one with its URL in the row's case (open or not: the items of a decided or
        closed case, exported and imported again, are found and skipped), else the item holding
        the URL open in another case (the row is then refused). A URL repeated in the file gets
        its own copy of the item for each row."""
        wanted = [(row.get("url"), str(row.get("case_reference") or "").strip()) for row in rows]
        urls = {url for url, _reference in wanted if url}
        candidates: dict[str, list] = {}
        if urls:
            references = {reference for _url, reference in wanted}
            for item in InfringingItem.objects.filter(
                Q(is_open=True) | Q(case__reference__in=references), normalized_url__in=urls
            ).select_related("case"):
                candidates.setdefault(item.normalized_url, []).append(item)
        found = []
        for url, reference in wanted:
            items = [
                item
                for item in candidates.get(url, [])
                if item.is_open or item.case.reference == reference
            ]
            found.append(
                max(
                    items,
                    key=lambda i: (i.case.reference == reference, i.is_open, i.pk),
                    default=None,
                )
            )
        return own_copies(found)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if not _keep_url_of_same_address(field, instance, row):
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def do_instance_save(self, instance, is_create):
        case_items.item_save(item=instance)  # a concurrent report of the URL: a row error

    def import_instance(self, instance, row, **kwargs):
        """Fill the item from the row; the case's rule (``case_items.child_check``) is applied
        only to a row that adds or changes something: an unchanged row is skipped whatever the
        state of its case, and a changed cell of a case DIP no longer edits is refused by column.
        """
        existing_case = instance.case if instance.pk else None
        compared = _written_fields(self, row) if existing_case is not None else []
        before = {f.column_name: _stored(instance, f) for f in compared}
        super().import_instance(instance, row, **kwargs)
        case = instance.case if instance.case_id else None
        if existing_case is not None and case is not None and existing_case.pk != case.pk:
            raise ValidationError(
                {
                    "url": _("This URL is already reported in open case %(ref)s.")
                    % {"ref": existing_case.reference}
                }
            )
        if case is None:
            return
        changed = ["case_reference"] if instance._state.adding else []
        changed = changed or _changed_columns(compared, instance, before)
        if not changed:
            return  # nothing to write: skipped as unchanged (the engine's skip_row)
        action = "add" if instance._state.adding else "change"
        try:
            _check_child(case, InfringingItem, action, kwargs.get("user"))
        except ValidationError as error:
            raise ValidationError({column: error.messages for column in changed}) from None

    def before_save_instance(self, instance, row, **kwargs):
        """Checked again on writing, with the case locked (``case_items.child_check``)."""
        super().before_save_instance(instance, row, **kwargs)
        action = "add" if instance._state.adding else "change"
        _check_child(instance.case, InfringingItem, action, kwargs.get("user"))


# --- monitoring sweeps ---------------------------------------------------------------------------

from django.db.models import Count  # noqa: E402

from takedowns.models import MonitoringSweep, SweepFinding  # noqa: E402


class SweepReferenceWidget(widgets.ForeignKeyWidget):
    """A sweep by its reference (``SW-000123``, or just ``123``)."""

    def __init__(self, **kwargs):
        super().__init__(MonitoringSweep, "pk", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        pk = self.model.pk_from_reference(value)
        sweep = self.model.objects.filter(pk=pk).first() if pk else None
        if sweep is None:
            raise ValueError(_("Unknown sweep “%(value)s”.") % {"value": value})
        return sweep

    def render(self, value, obj=None, **kwargs):
        return value.reference if value is not None else ""


class SweepFindingResource(PortalResource):
    """Findings of monitoring sweeps, keyed by (sweep reference, normalised URL).

    A re-import updates the finding; a finding already turned into a case cannot be changed.
    """

    sweep = fields.Field(attribute="sweep", column_name="sweep", widget=SweepReferenceWidget())
    url = fields.Field(attribute="url", column_name="url")
    normalized_url = fields.Field(
        attribute="normalized_url", column_name="normalized_url", readonly=True
    )
    right = fields.Field(
        attribute="right",
        column_name="right_registration_number",
        widget=_StrictForeignKeyWidget(ProtectedRight, "registration_number"),
    )
    case_reference = fields.Field(
        attribute="case__reference", column_name="case_reference", readonly=True
    )
    case_state = fields.Field(attribute="case__state", column_name="case_state", readonly=True)

    optional_columns = (
        "kind",
        "normalized_url",
        "seller_handle",
        "right_registration_number",
        "case_reference",
        "case_state",
    )

    def template_examples(self, queryset):
        return queryset.filter(case__isnull=True)

    template_example = {
        "sweep": "SW-000001",
        "kind": "live",
        "url": "https://www.tiktok.com/@fake.rice/live",
        "seller_handle": "fake.rice",
        "observed": "ไลฟ์ขายข้าวอ้างว่าเป็นสินค้า GI ราคาต่ำผิดปกติ",
        "right_registration_number": "สช 49100001",
    }

    class Meta(PortalResource.Meta):
        model = SweepFinding
        import_id_fields = ("sweep", "url")
        fields = (
            "sweep",
            "kind",
            "url",
            "normalized_url",
            "seller_handle",
            "observed",
            "right",
            "case_reference",
            "case_state",
        )
        export_order = fields

    def get_export_queryset(self, request=None, **kwargs):
        return super().get_export_queryset(**kwargs).select_related("sweep", "right", "case")

    def before_import_row(self, row, row_number=None, **kwargs):
        raw = str(row.get("url") or "").strip()
        try:
            row["url"] = normalize_url(raw) if raw else ""
        except ValueError:
            raise ValidationError(
                {"url": _("“%(value)s” is not a web address.") % {"value": raw}}
            ) from None
        pk = MonitoringSweep.pk_from_reference(row.get("sweep"))
        if pk:
            row["sweep"] = f"SW-{pk:06d}"
        if "seller_handle" in row:
            row["seller_handle"] = normalize_handle(str(row.get("seller_handle") or ""))
        super().before_import_row(row, row_number=row_number, **kwargs)

    def get_instance(self, instance_loader, row):
        return self.get_instances([row])[0]

    def get_instances(self, rows: list[dict]) -> list:
        """Each row's finding (its sweep's, by URL), for many rows in one query (the import
        engine asks a chunk's at once); the first by id where a sweep lists a URL twice. A row
        repeated in the file gets its own copy."""
        wanted = [
            (MonitoringSweep.pk_from_reference(row.get("sweep")), row.get("url")) for row in rows
        ]
        keys = {(pk, url) for pk, url in wanted if pk and url}
        first: dict[tuple, SweepFinding] = {}
        if keys:
            for finding in (
                SweepFinding.objects.filter(
                    sweep_id__in={pk for pk, _url in keys},
                    normalized_url__in={url for _pk, url in keys},
                )
                .select_related("case")
                .order_by("-id")
            ):
                first[(finding.sweep_id, finding.normalized_url)] = finding
        return own_copies([first.get(key) for key in wanted])

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if not _keep_url_of_same_address(field, instance, row):
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """Fill the finding from the row; one that became a case refuses only a real change (an
        unchanged row, an export imported again, is skipped whatever the state of the case)."""
        locked = bool(instance.pk and instance.case_id)
        compared = _written_fields(self, row) if locked else []
        before = {f.column_name: _stored(instance, f) for f in compared}
        super().import_instance(instance, row, **kwargs)
        changed = _changed_columns(compared, instance, before)
        if changed:
            message = _(
                "This finding is already case %(ref)s: it can no longer be changed by import."
            ) % {"ref": instance.case.reference}
            raise ValidationError({column: [message] for column in changed})


class MonitoringSweepResource(PortalResource):
    """Sweeps, export only (they are logged in the admin; their findings import)."""

    reference = fields.Field(attribute="reference", column_name="reference", readonly=True)
    officer = fields.Field(attribute="officer__username", column_name="officer", readonly=True)
    gi_products = fields.Field(column_name="gi_products", readonly=True)
    findings = fields.Field(attribute="findings_count", column_name="findings", readonly=True)
    cases = fields.Field(attribute="cases_count", column_name="cases", readonly=True)
    #: The export page's names of the columns that are no model field (portal.import_admin).
    column_labels = {
        "reference": pgettext_lazy("monitoring sweep", "reference"),
        "findings": gettext_lazy("findings"),
        "cases": gettext_lazy("cases"),
    }

    class Meta(PortalResource.Meta):
        model = MonitoringSweep
        fields = (
            "reference",
            "swept_on",
            "officer",
            "searched_product_search",
            "searched_live",
            "searched_video",
            "searched_shop",
            "keywords",
            "gi_products",
            "minutes_spent",
            "note",
            "findings",
            "cases",
        )
        export_order = fields

    def get_export_queryset(self, request=None, **kwargs):
        return (
            super()
            .get_export_queryset(**kwargs)
            .select_related("officer")
            .prefetch_related("gi_products")
            .annotate(
                findings_count=Count("findings"),
                cases_count=Count("findings", filter=Q(findings__case__isnull=False)),
            )
        )

    def dehydrate_gi_products(self, sweep):
        return "\n".join(str(product) for product in sweep.gi_products.all())
