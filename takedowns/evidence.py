"""Evidence files: checked (type by name and content, size) and hashed before they are kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from portal.security.uploads import EVIDENCE_TYPES, check_upload
from takedowns.models import InfringingItem, TakedownCase


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


def evidence_attach(
    *,
    case: TakedownCase,
    file,
    actor,
    captured_at: datetime,
    kind: str,
    item: InfringingItem | None = None,
    description: str = "",
):
    """Attach a checked file to a case; a bad file raises ValidationError and nothing is kept."""
    from takedowns.models import Evidence

    checked = evidence_check_file(file=file)
    evidence = Evidence(
        case=case,
        item=item,
        kind=kind,
        file=file,
        captured_at=captured_at,
        description=description,
        uploaded_by=actor,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    evidence.full_clean(exclude=["file"])
    evidence.save()
    return evidence
