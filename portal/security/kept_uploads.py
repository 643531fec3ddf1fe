"""Uploads kept across a failed save: a form that comes back with an error still holds the files
that were chosen for it, so nobody has to choose them again.

A checked upload on a form that is shown again is stored under ``KEPT_DIR`` of the default
storage (never served: ``/media/`` is not served at all) and the form carries a signed reference
to it in a hidden input beside the file input, with "file kept: <name>". Posted again without a
new file, the widget reads the kept file back as if it had been uploaded, so every check of the
form runs on it once more. A new file replaces it. Kept files older than ``KEPT_MAX_AGE`` are
removed whenever another is kept (and their references no longer open them).
"""

from __future__ import annotations

import os
import posixpath
import uuid
from datetime import timedelta

from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEPT_DIR = "kept-uploads"
KEPT_MAX_AGE = timedelta(days=1)
SALT = "portal.kept-upload"
#: The hidden input's name: the file input's name plus this.
SUFFIX = "__kept"


class KeptUpload(UploadedFile):
    """A kept file read back for a form: an upload like any other, with its reference."""

    def __init__(self, file, *, name: str, size: int, reference: str):
        super().__init__(file=file, name=name, size=size)
        self.reference = reference


def _forget_expired() -> None:
    try:
        _dirs, files = default_storage.listdir(KEPT_DIR)
    except FileNotFoundError:
        return
    oldest = timezone.now() - KEPT_MAX_AGE
    for directory in _dirs:
        folder = posixpath.join(KEPT_DIR, directory)
        for name in default_storage.listdir(folder)[1]:
            path = posixpath.join(folder, name)
            if default_storage.get_modified_time(path) < oldest:
                default_storage.delete(path)


def keep(upload) -> str:
    """Store ``upload`` for a later post of the same form; returns its signed reference."""
    if isinstance(upload, KeptUpload):
        return upload.reference
    _forget_expired()
    name = os.path.basename(upload.name or "upload")
    upload.seek(0)
    path = default_storage.save(posixpath.join(KEPT_DIR, uuid.uuid4().hex, name), upload)
    upload.seek(0)
    return signing.dumps({"path": path, "name": name}, salt=SALT)


def reopen(reference: str) -> KeptUpload | None:
    """The kept file of ``reference``; None for a forged, expired or removed one."""
    try:
        kept = signing.loads(reference, salt=SALT, max_age=KEPT_MAX_AGE)
        path, name = kept["path"], kept["name"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    if not path.startswith(KEPT_DIR + "/") or not default_storage.exists(path):
        return None
    return KeptUpload(
        default_storage.open(path), name=name, size=default_storage.size(path), reference=reference
    )


class KeptFileWidget(AdminFileWidget):
    """The admin's file input, plus the file kept from the last post (see the module)."""

    template_name = "admin/widgets/kept_file_input.html"
    #: Set by ``KeptUploadsMixin``: the field's upload, once it passed its checks.
    upload = None

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        if upload is None and data.get(name + SUFFIX):
            return reopen(data[name + SUFFIX]) or upload
        return upload

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        kept = None
        if self.upload is not None:
            kept = {
                "reference": keep(self.upload),
                "label": _("File kept: %(name)s. Choose another file to replace it.")
                % {"name": os.path.basename(self.upload.name)},
            }
        context["widget"].update(kept=kept, kept_name=name + SUFFIX)
        return context


class KeptUploadsMixin:
    """For a ModelForm: its file inputs keep a checked upload when the form comes back with an
    error elsewhere (``KeptFileWidget``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, AdminFileWidget):
                widget = KeptFileWidget(attrs=field.widget.attrs)
                widget.is_required = field.widget.is_required
                field.widget = widget

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            upload = self.cleaned_data.get(name)
            if isinstance(field.widget, KeptFileWidget) and isinstance(upload, UploadedFile):
                field.widget.upload = upload if name not in self.errors else None
