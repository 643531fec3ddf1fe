"""Autocompletes in the rows of an inline, shown and read back without a query per row.

The admin's autocomplete looks its chosen object up when it renders, so a session's inline of
40 attendances asked for 40 participants one by one. ``AutocompleteRowsMixin`` gives an inline's
autocompletes their chosen objects from the rows' own (``select_related``) objects, or from one
query per field for the rows sent back with an error.

The same holds when the rows are sent: each row's autocomplete field, and the hidden key that
names the row, was looked up with its own query (``ModelChoiceField.to_python``). The fields of
``AutocompleteRowsMixin`` take the object from the chosen objects when their queryset has no
filter (any saved object is a valid choice), and the rows' keys come from the formset's own
queryset; a value found in neither is looked up as before.
"""

from collections import defaultdict

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.functional import cached_property


class ChosenAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete, shown from ``chosen`` (objects by the key the form sends) when
    that holds its value; otherwise it looks the value up as usual."""

    chosen: dict | None = None

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        keys = {str(v) for v in value if str(v) not in empty}
        if self.chosen is None or not keys <= self.chosen.keys():
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for key in sorted(keys):
            label = self.choices.field.label_from_instance(self.chosen[key])
            options.append(self.create_option(name, key, label, keys, len(options)))
        return [(None, options, 0)]


class KnownObjectChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that takes a value's object from ``known`` (objects by the key the
    form sends) when its queryset has no filter; otherwise it looks the value up as usual."""

    known: dict | None = None

    def to_python(self, value):
        if (
            self.known
            and value not in self.empty_values
            and str(value) in self.known
            and not self.queryset.query.has_filters()
        ):
            return self.known[str(value)]
        return super().to_python(value)


def share_chosen_objects(forms) -> None:
    """Hand every row's ``ChosenAutocompleteSelect`` (and ``KnownObjectChoiceField``) the
    objects chosen in all rows: those the rows' instances hold already, the others in one query
    per field."""
    rows_by_field = defaultdict(list)
    for form in forms:
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # under the admin's wrapper
            if isinstance(widget, ChosenAutocompleteSelect):
                rows_by_field[name].append((form, widget))
    for name, rows in rows_by_field.items():
        field = rows[0][0].fields[name]
        key_name = field.to_field_name or "pk"
        chosen, missing = {}, set()
        for form, _widget in rows:
            key = form[name].value()
            if key in field.empty_values:
                continue
            related = _loaded_related(form.instance, name)
            if related is not None and str(related.serializable_value(key_name)) == str(key):
                chosen[str(key)] = related
            else:
                missing.add(str(key))
        if missing:
            try:
                found = field.queryset.filter(**{f"{key_name}__in": missing})
                chosen.update((str(obj.serializable_value(key_name)), obj) for obj in found)
            except (ValueError, TypeError):  # a crafted key: each row shows it as usual
                pass
        for form, widget in rows:
            widget.chosen = chosen
            if isinstance(form.fields[name], KnownObjectChoiceField):
                form.fields[name].known = chosen


def _loaded_related(instance, name):
    """The object ``instance`` holds for its relation ``name`` if it is loaded, else None."""
    model_field = instance._meta.get_field(name)
    if not model_field.is_cached(instance):
        return None
    return model_field.get_cached_value(instance)


class ChosenObjectsFormSetMixin:
    """A formset whose rows' autocompletes share their chosen objects (``share_chosen_objects``)
    and whose rows' keys are read from its own queryset."""

    @cached_property
    def forms(self):
        forms = super().forms
        share_chosen_objects(forms)
        return forms

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        field = form.fields.get(pk_name)
        if form.is_bound and type(field) is forms.ModelChoiceField:
            known = KnownObjectChoiceField(
                field.queryset, initial=field.initial, required=field.required, widget=field.widget
            )
            known.known = self.rows_by_key
            form.fields[pk_name] = known

    @cached_property
    def rows_by_key(self) -> dict:
        """The formset's saved rows by their key as a form sends it."""
        return {str(row.pk): row for row in self.get_queryset()}


class AutocompleteRowsMixin:
    """For an InlineModelAdmin: its ``autocomplete_fields`` cost no query per row."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = ChosenAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs.setdefault("form_class", KnownObjectChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (ChosenObjectsFormSetMixin, formset), {})
