"""URL normalisation: every link to the same listing, LIVE, video or shop has one normal form.

Applied before any comparison or lookup (the duplicate check, import keys, the decision sheet):

- the scheme: ``http`` is ``https``;
- the host: lower case, no trailing dot, no ``www.``, no default port, no user name or password;
  TikTok's mobile host (``m.tiktok.com``) is ``tiktok.com``. A short link (``vt.tiktok.com/ZS…``)
  stands for some other address that only the platform knows, so it is kept as it is;
- the path: percent-encoding decoded and encoded again the one way (``%41`` is ``A``, Thai is
  encoded), empty segments (``//``, a trailing slash) and dot segments (``.``, ``..``) removed,
  and a handle (``@Seller``) in lower case, as the platform compares handles;
- the query: parameters that say who shared a link, how, or in which language or region it is
  shown (``lang``, ``utm_*``, ``is_from_webapp``, ``sender_device``, …) removed; the others, which
  may name the listing (a product or SKU id), kept and sorted;
- the fragment removed.

When the normal form changes, a data migration recomputes the stored ``normalized_url`` values.
"""

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

#: Parameters that say who shared a link, how, or in which language or region it is shown, never
#: what it points to.
NON_IDENTIFYING_PARAMETERS = frozenset(
    {
        "_d",
        "_r",
        "_svg",
        "_t",
        "checksum",
        "enter_from",
        "enter_method",
        "fbclid",
        "gclid",
        "hl",
        "igshid",
        "is_copy_url",
        "is_from_webapp",
        "lang",
        "language",
        "locale",
        "mc_cid",
        "mc_eid",
        "refer",
        "referer",
        "referrer",
        "region",
        "sec_user_id",
        "sender_device",
        "sender_web_id",
        "share_app_id",
        "share_author_id",
        "share_from_user_id",
        "share_item_id",
        "share_link_id",
        "share_platform",
        "share_region",
        "share_scene",
        "share_source",
        "sharer_language",
        "social_share_type",
        "source",
        "timestamp",
        "tt_from",
        "ttclid",
        "u_code",
        "user_id",
        "web_id",
    }
)
NON_IDENTIFYING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Hosts that show the same listing at the same path as another host.
HOST_ALIASES = {"m.tiktok.com": "tiktok.com"}
#: Characters a path segment keeps as they are (besides letters, digits and ``_.-~``).
SEGMENT_SAFE = "@:+,;=!$&'()*"


def _is_non_identifying(name: str) -> bool:
    lowered = name.lower()
    return lowered in NON_IDENTIFYING_PARAMETERS or lowered.startswith(NON_IDENTIFYING_PREFIXES)


def _normal_host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if "." not in host:
        raise ValueError(f"no host: {hostname!r}")
    while host.startswith("www.") and "." in host[4:]:
        host = host[4:]
    return HOST_ALIASES.get(host, host)


def _normal_path(path: str) -> str:
    segments: list[str] = []
    for segment in unquote(path).split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        if segment.startswith("@"):
            segment = segment.lower()
        segments.append(quote(segment, safe=SEGMENT_SAFE))
    return "/" + "/".join(segments) if segments else ""


def _normal_query(query: str) -> str:
    return urlencode(
        sorted(
            (name, value)
            for name, value in parse_qsl(query, keep_blank_values=True)
            if not _is_non_identifying(name)
        )
    )


def normalize_url(url: str) -> str:
    """The normal form of ``url``; raises ValueError when it is not a web address."""
    text = (url or "").strip()
    if not text:
        raise ValueError("empty URL")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not a web address: {url}")
    host = _normal_host(parts.hostname or "")
    netloc = host
    if parts.port and parts.port not in (DEFAULT_PORTS[scheme], DEFAULT_PORTS["https"]):
        netloc = f"{host}:{parts.port}"
    return urlunsplit(("https", netloc, _normal_path(parts.path), _normal_query(parts.query), ""))
