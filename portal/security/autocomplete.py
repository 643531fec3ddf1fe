"""The admin's autocomplete endpoint, kept to the relations a user's own forms offer.

Django's ``/admin/autocomplete/?app_label=&model_name=&field_name=`` checks only that the user may
view the model searched, not the model whose field asks: a relation of a model the user has no
page for was a way to list rows of another admin; and a reverse relation named as the field was
a 500. Here the field must be a forward relation of a model whose admin the user may use (view,
change or add); the model searched then answers with its own admin's rows (``get_queryset``: the
liaison's rights and cases are its own), as in Django. A search term holding a NUL byte, which
PostgreSQL refuses to compare (a 500 before), is a 400.
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _

from portal.internals import registered_model_admins
from portal.people import person_name


class PeopleByNameAutocompleteJsonView(AutocompleteJsonView):
    """A person found by the autocomplete reads as the form shows them: by name."""

    def serialize_result(self, obj, to_field_name):
        if isinstance(obj, get_user_model()):
            return {"id": str(getattr(obj, to_field_name)), "text": person_name(obj)}
        return super().serialize_result(obj, to_field_name)


class ScopedAutocompleteMixin:
    """Mix into the AdminSite; a request outside these rules is 403, as Django answers a field
    it does not know."""

    def _asking_admin(self, request):
        """The admin of the model whose field asks, if that field is a forward relation."""
        for model, model_admin in registered_model_admins(self).items():
            opts = model._meta
            if (opts.app_label, opts.model_name) != (
                request.GET.get("app_label"),
                request.GET.get("model_name"),
            ):
                continue
            try:
                field = opts.get_field(request.GET.get("field_name", ""))
            except FieldDoesNotExist:
                return None
            return model_admin if field.is_relation and field.concrete else None
        return None

    def autocomplete_view(self, request):
        model_admin = self._asking_admin(request)
        if model_admin is None or not (
            model_admin.has_view_or_change_permission(request)
            or model_admin.has_add_permission(request)
        ):
            raise PermissionDenied
        if "\x00" in request.GET.get("term", ""):  # PostgreSQL compares no text holding NUL
            return JsonResponse(
                {"error": _("A search cannot hold a NUL character (byte 0).")}, status=400
            )
        return PeopleByNameAutocompleteJsonView.as_view(admin_site=self)(request)
