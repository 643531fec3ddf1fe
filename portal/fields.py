"""Model and form fields shared by the apps (the core: any app may import them)."""

from django import forms
from django.db import models

from portal.validators import validate_web_url


class WebURLFormField(forms.URLField):
    """A web address typed in a form: http or https only; typed without a scheme it is read as
    https (TikTok links are)."""

    default_validators = [validate_web_url]

    def __init__(self, *, assume_scheme="https", **kwargs):
        super().__init__(assume_scheme=assume_scheme, **kwargs)


class WebURLField(models.URLField):
    """A stored web address: http or https only (never ``javascript:``, ``data:`` or ``ftp:``),
    so that a page may show it as a link; every form of the model gets ``WebURLFormField``."""

    default_validators = [validate_web_url]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})
