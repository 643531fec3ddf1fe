"""People as the portal shows them: by their name, never by their login.

Django's ``User.__str__`` is the username ("officer", "supervisor"). Every form, column and log
that shows a person goes through ``person_name``; forms pick people with ``PersonChoiceField``
(the admins' ``PeopleByNameMixin`` gives it to every relation to a user).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from portal.roles import DIP_ROLES, LIAISON


def person_name(user) -> str:
    """The person's full name; the login only for an account that has no name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


def _is_person_field(model, name) -> bool:
    if not isinstance(name, str):
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return (field.many_to_one or field.one_to_one) and field.related_model is get_user_model()


def person_column(model, name):
    """A list column showing the person of the relation ``name`` by name (sorted like it)."""
    field = model._meta.get_field(name)

    @admin.display(description=field.verbose_name, ordering=f"{name}__first_name")
    def column(obj):
        return person_name(getattr(obj, name)) or "—"

    column.__name__ = name
    return column


class PeopleByNameMixin:
    """Mix into a ModelAdmin: a relation to a user is chosen, and listed, by the person's name."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is get_user_model():
            kwargs.setdefault("form_class", PersonChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_display(self, request):
        return [
            person_column(self.model, name) if _is_person_field(self.model, name) else name
            for name in super().get_list_display(request)
        ]


def _in_roles(roles):
    user_groups = get_user_model().groups.through.objects.filter(group__name__in=roles)
    return Q(is_active=True, pk__in=user_groups.values("user_id"))


def dip_staff() -> Q:
    """``limit_choices_to`` of a relation to a DIP official (officer or supervisor)."""
    return _in_roles(DIP_ROLES)


def platform_staff() -> Q:
    """``limit_choices_to`` of a relation to the platform's liaison."""
    return _in_roles({LIAISON})
