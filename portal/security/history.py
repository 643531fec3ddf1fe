"""Audit history: keep the history pages inside the row scope the admin gives each user.

django-simple-history's history pages look rows up outside ``ModelAdmin.get_queryset()``: its list
falls back to the latest historical copy, and a single version is fetched from the history table
directly. A user whose admin shows only some rows (the platform liaison sees only cases forwarded
to it) could therefore read every past value of any row by its id, deleted rows included.
``install()`` makes both pages answer 404 for a row outside the user's queryset now: one that
exists but is hidden from them, and, for the platform, one that no longer exists (DIP keeps
reading what a deleted row was). A single version must also be one of the rows the history list
shows that user (``ModelAdmin.get_history_queryset()``; see ``portal.security.limited_admin``).

Its "Changes" column shows values as the admin shows them (``ReadableHistoryContextHelper``): a
choice by its label, not its stored code; an empty value as "—", not "None".

Reverting from history is switched off (SIMPLE_HISTORY_REVERT_DISABLED): a change goes through the
admin form and the services. simple_history's setting only hides the button, so a crafted POST to a
version page is refused here too.
"""

import functools

from django.conf import settings
from django.contrib.admin.utils import display_for_value, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from portal.roles import is_platform_user

#: No row's key holds it: PostgreSQL compares no text holding NUL (a database error).
NUL = "\x00"


def _hidden_from(model_admin, request, object_id) -> bool:
    model = model_admin.model
    if NUL in str(object_id):
        return True
    lookup = {model._meta.pk.attname: unquote(str(object_id))}
    try:
        if model_admin.get_queryset(request).filter(**lookup).exists():
            return False
        exists = model._base_manager.filter(**lookup).exists()
    except (ValueError, TypeError, ValidationError):
        return True  # a malformed id: no such row
    # Hidden from this user now, or deleted: the platform reads only what it may see now.
    return exists or is_platform_user(request.user)


def _version_hidden_from(model_admin, request, object_id, version_id) -> bool:
    model = model_admin.model
    if NUL in str(object_id) or NUL in str(version_id):
        return True
    history = getattr(model, model._meta.simple_history_manager_attribute)
    rows = model_admin.get_history_queryset(
        request, history, model._meta.pk.attname, unquote(str(object_id))
    )
    try:
        return not rows.filter(history_id=unquote(str(version_id))).exists()
    except (ValueError, TypeError, ValidationError):
        return True


def _scoped(view, version=False):
    @functools.wraps(view)
    def wrapper(self, request, object_id, *args, **kwargs):
        if _hidden_from(self, request, object_id):
            raise Http404
        if version:
            version_id = args[0] if args else kwargs.get("version_id")
            if _version_hidden_from(self, request, object_id, version_id):
                raise Http404
            if request.method == "POST" and settings.SIMPLE_HISTORY_REVERT_DISABLED:
                raise PermissionDenied
        return view(self, request, object_id, *args, **kwargs)

    wrapper.portal_scoped = True
    return wrapper


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    EMPTY = "—"

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return self.EMPTY
        if field.flatchoices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, list):
            return value
        return display_for_value(value, self.EMPTY, boolean=False)


def _readable_history_helper(self, request, historical_record):
    return ReadableHistoryContextHelper(self.model, historical_record)


def install() -> None:
    SimpleHistoryAdmin.get_historical_record_context_helper = _readable_history_helper
    for name in ("history_view", "history_form_view"):
        view = getattr(SimpleHistoryAdmin, name)
        if not getattr(view, "portal_scoped", False):
            setattr(SimpleHistoryAdmin, name, _scoped(view, version=name == "history_form_view"))
