"""The change-list lookup guard of every admin, and one mixin for every admin in which a role sees
fewer rows or fields than DIP does.

- **Change-list queries** (every admin: the admin site mixes ``ChangeListGuardMixin`` into each
  ModelAdmin it registers, ``portal.admin_site``). Django lets any ``?field__lookup=`` on a local
  field through ``ModelAdmin.lookup_allowed``, so ``?internal_note__icontains=x`` told the liaison,
  by the rows it kept, what a hidden field holds, and ``?code__regex=(`` (a bad pattern) was a
  database error, a 500. Only the lookups of the admin's own list filters and date hierarchy are
  allowed; anything else is Django's ``DisallowedModelAdminLookup`` (a 400), for every user. A
  value the database or Python cannot take in an allowed lookup (a date in year 1 or 9999, a text
  with NUL) is what Django does with a value it cannot read: back to the list without filters.
- **Audit history** (``RoleLimitedAdminMixin``). For a limited user the history list keeps only
  the rows the admin's ``limited_history_rows()`` returns and its "Changes" column only the fields
  of ``limited_history_fields`` (``None``: every field the user sees anyway).

The row scope of the history pages themselves (404 outside it) is ``portal.security.history``.
"""

import logging

from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.db import DataError
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.template.response import SimpleTemplateResponse
from django.utils.translation import gettext as _

from portal.roles import is_platform_user

logger = logging.getLogger(__name__)

#: What a value in a change list's query string can raise once it reaches Python or the database.
BAD_VALUE_ERRORS = (DataError, OverflowError, ValueError, ValidationError)

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
        # A field filter naming its parameters after the field (``<path>_after``).
        for suffix in getattr(filter_class, "parameter_suffixes", ()):
            allowed.add(f"{path}{suffix}")
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


class ChangeListGuardMixin:
    """A change list takes only its own list filters' lookups, and a value none of them can read
    sends the user back to the plain list (every admin has it: see above)."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except BAD_VALUE_ERRORS as error:
            raise IncorrectLookupParameters(error) from error

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if not hasattr(response, "render") or not set(request.GET) - {ERROR_FLAG}:
            return response  # a plain list's errors are the portal's own: they stay errors
        try:
            # The rows, the date hierarchy and the filters' choices are read while rendering (in
            # autocommit, so a failed statement leaves no transaction behind).
            return response.render()
        except BAD_VALUE_ERRORS as error:
            logger.warning("Change list %s refused its query: %r", request.path, error)
            if ERROR_FLAG in request.GET:
                return SimpleTemplateResponse(
                    "admin/invalid_setup.html", {"title": _("Database error")}
                )
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")

    def get_object(self, request, object_id, from_field=None):
        """An address whose key holds NUL names no row (PostgreSQL compares no such text): the
        admin's "does not exist" answer, not a database error (a text key, the API tokens')."""
        if "\x00" in str(object_id):
            return None
        return super().get_object(request, object_id, from_field)

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


class RoleLimitedAdminMixin(ChangeListGuardMixin):
    """Mix into the ModelAdmin (before the admin base class) of a model a role sees less of."""

    #: The fields whose changes a limited user sees in the history's "Changes" column.
    limited_history_fields: tuple[str, ...] | None = ()

    def is_limited(self, request) -> bool:
        """Whether this request's user is the role that sees less here (the platform)."""
        return is_platform_user(request.user)

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
