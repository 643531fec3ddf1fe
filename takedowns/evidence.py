"""Evidence files: checked (type by name and content, size) and hashed before they are kept, and
added to or removed from a case as the case's state allows (``case_items.CHILD_RULES``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction

from portal.security.uploads import EVIDENCE_TYPES, check_upload
from takedowns.case_items import child_check
from takedowns.models import Evidence


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    original_name: str


def evidence_check_file(*, file) -> CheckedFile:
    """Check type (extension and content) and size; hash the bytes. Raises ValidationError."""
    file_type = check_upload(file, EVIDENCE_TYPES)
    name = getattr(file, "name", "") or ""
    size = file.size
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return CheckedFile(
        file_type.content_type, size, digest.hexdigest(), name.rsplit("/", 1)[-1][:255]
    )


@transaction.atomic
def evidence_add(*, evidence: Evidence, actor) -> Evidence:
    """Keep a checked file (``evidence_check_file``) as evidence of its case, while the case's
    state allows it; an item it names must be one of the case's own (``Evidence.clean``)."""
    child_check(case=evidence.case, model=Evidence, action="add", actor=actor)
    evidence.clean()
    evidence.uploaded_by = actor
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor) -> None:
    """Remove evidence from its case, while the case's state allows it."""
    child_check(case=evidence.case, model=Evidence, action="delete", actor=actor)
    evidence.delete()
