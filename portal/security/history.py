"""Audit history: keep the history pages inside the row scope the admin gives each user.

django-simple-history's history pages look rows up outside ``ModelAdmin.get_queryset()``: its list
falls back to the latest historical copy, and a single version is fetched from the history table
directly. A user whose admin shows only some rows (the platform liaison sees only cases forwarded
to it) could therefore read every past value of any row by its id. ``install()`` makes both pages
answer 404 for a row that exists but is outside the user's queryset.

Reverting from history is switched off (SIMPLE_HISTORY_REVERT_DISABLED): a change goes through the
admin form and the services. simple_history's setting only hides the button, so a crafted POST to a
version page is refused here too.
"""

import functools

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


def _hidden_from(model_admin, request, object_id) -> bool:
    model = model_admin.model
    pk_name = model._meta.pk.attname
    lookup = {pk_name: unquote(str(object_id))}
    try:
        exists = model._base_manager.filter(**lookup).exists()
    except (ValueError, TypeError):
        return False  # a malformed id: simple_history answers 404 itself
    return exists and not model_admin.get_queryset(request).filter(**lookup).exists()


def _scoped(view, read_only=False):
    @functools.wraps(view)
    def wrapper(self, request, object_id, *args, **kwargs):
        if _hidden_from(self, request, object_id):
            raise Http404
        if read_only and request.method == "POST" and settings.SIMPLE_HISTORY_REVERT_DISABLED:
            raise PermissionDenied
        return view(self, request, object_id, *args, **kwargs)

    wrapper.portal_scoped = True
    return wrapper


def install() -> None:
    for name in ("history_view", "history_form_view"):
        view = getattr(SimpleHistoryAdmin, name)
        if not getattr(view, "portal_scoped", False):
            setattr(SimpleHistoryAdmin, name, _scoped(view, read_only=name == "history_form_view"))
