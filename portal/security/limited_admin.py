"""One mixin for every admin in which a role sees fewer rows or fields than DIP does.

The platform's liaison sees only the cases forwarded to it and not DIP's own fields on them. Two
parts of the admin would otherwise answer around that:

- **Change-list lookups.** Django lets any ``?field__lookup=`` on a local field through
  ``ModelAdmin.lookup_allowed``, so ``?internal_note__icontains=x`` told the liaison, by the rows
  it kept, what a hidden field holds (and ``__regex`` with a bad pattern was a database error,
  a 500). Here only the lookups of the admin's own list filters and date hierarchy are allowed;
  anything else is Django's ``DisallowedModelAdminLookup`` (a 400), for every user.
- **Audit history.** For a limited user the history list keeps only the rows the admin's
  ``limited_history_rows()`` returns and its "Changes" column only the fields of
  ``limited_history_fields`` (``None``: every field the user sees anyway).

The row scope of the history pages themselves (404 outside it) is ``portal.security.history``.
"""

from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.utils import get_fields_from_path
from django.db.models.constants import LOOKUP_SEP

from portal.roles import is_platform_user

#: What Django's own list filters put in the URL after a filtered field's path (choices, booleans,
#: related rows by their key, date ranges, "empty", and the date hierarchy's parts).
FILTER_SUFFIXES = frozenset(
    {"exact", "in", "isnull", "isempty", "gte", "gt", "lt", "lte", "year", "month", "day"}
)


def _filter_parameters(model, list_filter) -> set[str]:
    """The query parameters the admin's list filters may read."""
    allowed: set[str] = set()
    for item in list_filter:
        if isinstance(item, tuple | list):
            path, filter_class = item[0], item[1]
        elif isinstance(item, str):
            path, filter_class = item, None
        else:  # a list filter class: a SimpleListFilter reads only its own parameter
            path, filter_class = None, item
        if path is not None:
            allowed |= _field_parameters(model, path)
            if callable(named_after_path := getattr(filter_class, "parameters", None)):
                allowed |= set(named_after_path(path))  # the date-range filter's
        for name in ("parameter_name", "lookup_kwarg", "lookup_kwarg_from", "lookup_kwarg_to"):
            value = getattr(filter_class, name, None)
            if isinstance(value, str):
                allowed.add(value)
    return allowed


def _field_parameters(model, path: str) -> set[str]:
    field = get_fields_from_path(model, path)[-1]
    prefixes = {path}
    if field.is_relation and field.related_model is not None:
        target = field.related_model._meta.pk.name
        prefixes |= {f"{path}{LOOKUP_SEP}{target}", f"{path}{LOOKUP_SEP}pk"}
    allowed = set(prefixes)
    for prefix in prefixes:
        allowed |= {f"{prefix}{LOOKUP_SEP}{suffix}" for suffix in FILTER_SUFFIXES}
    return allowed


class RoleLimitedAdminMixin:
    """Mix into the ModelAdmin (before the admin base class) of a model a role sees less of."""

    #: The fields whose changes a limited user sees in the history's "Changes" column.
    limited_history_fields: tuple[str, ...] | None = ()

    def is_limited(self, request) -> bool:
        """Whether this request's user is the role that sees less here (the platform)."""
        return is_platform_user(request.user)

    # -- change-list lookups ---------------------------------------------------------------------

    def lookup_allowed(self, lookup, value, request=None):
        # The raw-id popup's lookups from a ForeignKey's limit_choices_to stay allowed, as in
        # Django's own check.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in admin_widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        allowed = _filter_parameters(self.model, self.get_list_filter(request))
        if self.date_hierarchy:
            allowed |= _field_parameters(self.model, self.date_hierarchy)
        return lookup in allowed

    # -- audit history ---------------------------------------------------------------------------

    def limited_history_rows(self, request, queryset, object_id):
        """The historical rows of ``object_id`` a limited user may read (default: all)."""
        return queryset

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        if self.is_limited(request):
            queryset = self.limited_history_rows(request, queryset, object_id)
        return queryset

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        fields = self.limited_history_fields if self.is_limited(request) else None
        if fields is None:
            return super().set_history_delta_changes(
                request, historical_records, foreign_keys_are_objs
            )
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, included_fields=fields, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current
