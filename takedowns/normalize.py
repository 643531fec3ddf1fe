"""URL normalisation: two links to the same listing, LIVE, video or shop compare equal.

Applied before any comparison or lookup (duplicates, import keys): scheme and host lower-cased,
``http`` upgraded to ``https``, ``www.`` and default ports dropped, the fragment and tracking or
share parameters removed, the remaining parameters sorted, and a trailing slash dropped.
"""

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

#: Parameters that say who shared a link or how, never what it points to.
TRACKING_PARAMETERS = frozenset(
    {
        "_r",
        "_t",
        "_d",
        "checksum",
        "fbclid",
        "gclid",
        "igshid",
        "is_copy_url",
        "is_from_webapp",
        "mc_cid",
        "mc_eid",
        "referer",
        "referrer",
        "sec_user_id",
        "sender_device",
        "sender_web_id",
        "share_app_id",
        "share_author_id",
        "share_item_id",
        "share_link_id",
        "share_region",
        "share_scene",
        "sharer_language",
        "social_share_type",
        "source",
        "timestamp",
        "tt_from",
        "u_code",
        "user_id",
        "web_id",
        "ttclid",
    }
)
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """The canonical form of ``url``; raises ValueError when it is not a web address."""
    text = (url or "").strip()
    if not text:
        raise ValueError("empty URL")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not a web address: {url}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or "." not in host:
        raise ValueError(f"no host in {url}")
    if host.startswith("www."):
        host = host[4:]
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{parts.port}"
    path = quote(unquote(parts.path), safe="/@:+,;=!$&'()*~-._")
    path = path.rstrip("/")
    query = urlencode(
        sorted(
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _is_tracking(name)
        )
    )
    return urlunsplit(("https", netloc, path, query, ""))
