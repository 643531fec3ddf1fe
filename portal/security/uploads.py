"""Uploaded files: which types each file field takes, checked by name and by content, and where
they are downloaded from.

One table of file types; each file field names the set it takes (``DOCUMENT_TYPES`` for rights
certificates and letters of authorization, ``EVIDENCE_TYPES`` for evidence, ``IMPORT_TYPES`` for
import files). ``check_upload`` refuses a file whose extension is not in the set, whose first bytes
are not what the extension says (a web page or script renamed ``.pdf``), that is empty, or that is
larger than its type's limit.

Nothing is served from ``/media/``: a stored file's ``url`` is the permission-checked download view
(``portal.security.downloads``), which sends it as an attachment that no browser runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from portal.internals import require_file

#: Bytes read from the start of a file to tell what it is.
HEAD_BYTES = 512
#: A file starting with one of these (after white space) is a web page or script, whatever its name.
MARKUP_STARTS = (b"<", b"\xef\xbb\xbf<")


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    looks_right: Callable[[bytes], bool]
    #: The setting holding this type's size limit in bytes (None: the request limit alone).
    max_bytes_setting: str | None = "MAX_DOCUMENT_UPLOAD_SIZE"

    @property
    def max_bytes(self) -> int | None:
        return getattr(settings, self.max_bytes_setting) if self.max_bytes_setting else None


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head and not head.lstrip().startswith(MARKUP_STARTS)


VIDEO = "MAX_VIDEO_UPLOAD_SIZE"
PDF = FileType("pdf", "application/pdf", lambda h: h.startswith(b"%PDF-"))
PNG = FileType("png", "image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"))
JPEG = FileType("jpeg", "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff"))
JPG = FileType("jpg", JPEG.content_type, JPEG.looks_right)
WEBP = FileType("webp", "image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP")
GIF = FileType("gif", "image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a"))
MP4 = FileType("mp4", "video/mp4", lambda h: h[4:8] == b"ftyp", VIDEO)
MOV = FileType(
    "mov", "video/quicktime", lambda h: h[4:8] in (b"ftyp", b"moov", b"wide", b"mdat"), VIDEO
)
WEBM = FileType("webm", "video/webm", lambda h: h.startswith(b"\x1a\x45\xdf\xa3"), VIDEO)
CSV = FileType("csv", "text/csv", _is_text, None)
XLSX = FileType(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    lambda h: h.startswith(b"PK\x03\x04"),
    None,
)

#: Rights certificates, letters of authorization, proof of ownership.
DOCUMENT_TYPES = (PDF, PNG, JPEG, JPG, WEBP)
#: Evidence of an infringement: documents, screenshots and screen recordings.
EVIDENCE_TYPES = (*DOCUMENT_TYPES, GIF, MP4, MOV, WEBM)
#: Files to import.
IMPORT_TYPES = (CSV, XLSX)

ALL_TYPES = {file_type.extension: file_type for file_type in (*EVIDENCE_TYPES, *IMPORT_TYPES)}


def megabytes(size: int) -> float | int:
    """A size in bytes as the MB figure the messages show (one decimal, none if whole)."""
    mb = round(size / 1048576, 1)
    return int(mb) if mb == int(mb) else mb


def file_limits(models_: Iterable[type[models.Model]]) -> dict[int, list[str]]:
    """Size limit in bytes -> the extensions with that limit, over the file fields of ``models_``
    (the types limited by the request alone are left out)."""
    limits: dict[int, list[str]] = {}
    for model in models_:
        for field in model._meta.concrete_fields:
            for file_type in getattr(field, "file_types", ()):
                if file_type.max_bytes:
                    extensions = limits.setdefault(file_type.max_bytes, [])
                    if file_type.extension not in extensions:
                        extensions.append(file_type.extension)
    return limits


def extension_of(name: str) -> str:
    base = os.path.basename(name or "")
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def safe_content_type(name: str) -> str:
    """The content type a stored file is sent with: its type's, or plain bytes if unknown."""
    file_type = ALL_TYPES.get(extension_of(name))
    return file_type.content_type if file_type else "application/octet-stream"


def check_upload(file, types: Iterable[FileType]) -> FileType:
    """The type of an uploaded file if it is one of ``types``; else ValidationError."""
    name = os.path.basename(getattr(file, "name", "") or "")
    by_extension = {file_type.extension: file_type for file_type in types}
    file_type = by_extension.get(extension_of(name))
    if file_type is None:
        raise ValidationError(
            _("“%(name)s”: files of this type are not accepted. Allowed: %(allowed)s.")
            % {"name": name, "allowed": ", ".join(sorted(by_extension))},
            code="file_type",
        )
    size = file.size
    if not size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    limit = file_type.max_bytes
    if limit and size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; the limit for this type is %(limit)s MB.")
            % {"name": name, "size": megabytes(size), "limit": megabytes(limit)},
            code="file_too_large",
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if not file_type.looks_right(head):
        if head.lstrip().startswith(MARKUP_STARTS):
            raise ValidationError(
                _(
                    "“%(name)s” is a web page or script, not a .%(ext)s file; such files are "
                    "never accepted."
                )
                % {"name": name, "ext": file_type.extension},
                code="file_is_markup",
            )
        raise ValidationError(
            _("“%(name)s” does not contain what its extension says (.%(ext)s).")
            % {"name": name, "ext": file_type.extension},
            code="file_content",
        )
    return file_type


@deconstructible
class FileTypeValidator:
    """``check_upload`` as a form field validator (for uploads that no model field stores)."""

    def __init__(self, types: Iterable[FileType]):
        self.types = tuple(types)

    def __call__(self, file):
        check_upload(file, self.types)

    def __eq__(self, other):
        return isinstance(other, FileTypeValidator) and self.types == other.types


class DownloadFieldFile(FieldFile):
    """A stored file whose ``url`` is the permission-checked download view, never ``/media/``.

    The admin's file widgets and read-only fields all link to ``url``, so every field of this
    class is covered at once.
    """

    @property
    def url(self):
        require_file(self)
        instance = self.instance
        if instance.pk is None:
            return ""
        opts = instance._meta
        return reverse(
            "file_download", args=[opts.app_label, opts.model_name, instance.pk, self.field.name]
        )


class PortalFileField(models.FileField):
    """Every file field of the project: a checked type on upload, a checked download.

    ``file_types`` is one of the sets above. The column is a plain ``FileField``: ``deconstruct``
    says so, so migrations see no change (the type check and the download address are behaviour
    of the running code, not of the schema).
    """

    attr_class = DownloadFieldFile

    def __init__(self, *args, file_types: Iterable[FileType] = DOCUMENT_TYPES, **kwargs):
        self.file_types = tuple(file_types)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        # A file already stored was checked on its way in; a new upload is checked now.
        if value and not getattr(value, "_committed", True):
            check_upload(value, self.file_types)

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.widget.attrs.setdefault(
            "accept", ",".join(f".{file_type.extension}" for file_type in self.file_types)
        )
        return field
