"""Evidence files: checked (type by name and content, size) and hashed before they are kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from portal.security.uploads import EVIDENCE_TYPES, check_upload


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
