"""Keyset ("cursor") pages: a page costs one query whatever its position or size.

Cases are ordered by (updated_at, id) so a platform can sync what changed; the cursor is opaque.
The event feed is ordered by id and its cursor is the last id seen (``after``).
"""

import base64
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(updated_at: datetime, pk: int) -> str:
    raw = f"{updated_at.astimezone(UTC).isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position ``encode_cursor`` wrote; anything else (another UTC offset, a date out of
    range, garbage) is refused with 400 ``invalid_cursor``."""
    invalid = ParseError(_("Invalid cursor."), code="invalid_cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded.encode("ascii")).decode().split("|")
        moment = datetime.fromisoformat(stamp)
        number = int(pk)
    except (ValueError, UnicodeError, TypeError):
        raise invalid from None
    if moment.utcoffset() != timedelta(0) or not 0 < number < 2**63:
        raise invalid
    return moment, number


def after_cursor(queryset, cursor: str | None):
    """The rows after ``cursor`` in (updated_at, id) order; the index on both columns serves it."""
    queryset = queryset.order_by("updated_at", "id")
    if not cursor:
        return queryset
    moment, pk = decode_cursor(cursor)
    return queryset.filter(updated_at__gte=moment).exclude(updated_at=moment, id__lte=pk)
