"""Finds user-interface strings left in English on a page that should be Thai.

An English UI string is a msgid of a catalogue the portal uses: the project's own, Django's (core
and contrib) and every installed library's (import-export, simple-history, ...). The page's visible
text is cut into runs of Latin-letter words; a run that is such a msgid (placeholders match anything,
case and trailing punctuation aside), or a text segment that a msgid with placeholders matches
whole, is reported. Data values pass: tokens with digits, ``_``, ``@``, ``/`` or ``.`` inside
(URLs, handles, codes) break a run, a name typed into the data is not a msgid, and a Latin word the
Thai catalogue itself keeps in a translation (TikTok, XLSX, ...) is Thai UI.
"""

import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.utils import translation

WORD = re.compile(r"^\(?([A-Za-z][A-Za-z'’-]*)[)”\"',.:;!?…]*$")
CODE = re.compile(r"^\([a-z_]+\)[,.;:]?$")
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfr]|%[sdfr]|\{[^}]*\}")
LATIN = re.compile(r"[A-Za-z]")
#: Used in Thai as they are: the language switcher names each language in its own words.
KEPT_AS_IS = {"english"}


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(" .:…?!*").lower()


def _msgids(po_file: Path) -> list[str]:
    """The msgids (and plural msgids) of one .po file; a tiny reader, enough for gettext's output."""
    found, current, key = [], None, None
    for line in po_file.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgid_plural ")):
            if current is not None:
                found.append(current)
            key, _, rest = line.partition(" ")
            current = _unquote(rest)
        elif line.startswith('"') and key in ("msgid", "msgid_plural"):
            current += _unquote(line)
        else:
            if current is not None:
                found.append(current)
            current, key = None, line.split(" ", 1)[0] if line else None
    return [m for m in found if m]


def _unquote(quoted: str) -> str:
    return quoted.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n")


def _catalogue_files() -> list[Path]:
    """Per installed app (and Django's core): its English catalogue, else every language's (each
    library's translations lag behind its strings, each by different ones)."""
    roots = [Path(django.__file__).parent / "conf"]
    roots += [Path(config.path) for config in apps.get_app_configs()]
    files = []
    for root in roots:
        locale = root / "locale"
        if not locale.is_dir():
            continue
        english = sorted((locale / "en" / "LC_MESSAGES").glob("*.po"))
        files += english or sorted(locale.glob("*/LC_MESSAGES/*.po"))
    for path in settings.LOCALE_PATHS:
        files += sorted(Path(path).glob("*/LC_MESSAGES/*.po"))
    return files


def _latin_runs(text: str) -> list[str]:
    """Runs of consecutive Latin words; anything else (Thai, digits, URLs, handles, a lowercase
    code in parentheses after its label) ends a run."""
    runs, current = [], []
    for token in text.split():
        match = None if CODE.match(token) else WORD.match(token)
        if match and not (current and re.search(r"[,.:;!?…)]$", current[-1][1])):
            current.append((match.group(1), token))
            continue
        if current:
            runs.append(" ".join(word for word, _ in current))
        current = [(match.group(1), token)] if match else []
    if current:
        runs.append(" ".join(word for word, _ in current))
    return runs


class Catalogue:
    def __init__(self):
        plain, patterns = set(), []
        for po_file in _catalogue_files():
            for msgid in _msgids(po_file):
                if PLACEHOLDER.search(msgid):
                    literal = PLACEHOLDER.sub(" ", msgid)
                    if len(LATIN.findall(literal)) >= 4 and "\n" not in msgid:
                        parts = PLACEHOLDER.split(_normal(msgid))
                        patterns.append(".+?".join(re.escape(p) for p in parts))
                elif LATIN.search(msgid):
                    plain.add(_normal(msgid))
        self.kept = KEPT_AS_IS | self._kept_in_thai()
        self.plain = plain - self.kept - {""}
        self.patterns = re.compile("|".join(f"(?:{p})" for p in sorted(set(patterns))))

    @staticmethod
    def _kept_in_thai() -> set[str]:
        """Latin runs that Thai translations themselves contain (brands, file types, codes)."""
        with translation.override("th"):
            catalog = translation.trans_real.translation("th")._catalog
            kept = set()
            for _msgid, value in catalog.items():
                for run in _latin_runs(value):
                    words = run.split()
                    for i in range(len(words)):
                        for j in range(i + 1, len(words) + 1):
                            kept.add(_normal(" ".join(words[i:j])))
        return kept

    def english_in(self, segments) -> list[str]:
        """The segments of visible text that hold an untranslated UI string (with the string)."""
        found = []
        for segment in segments:
            normal = _normal(segment)
            if not LATIN.search(normal):
                continue
            if self.patterns.pattern and self.patterns.fullmatch(normal):
                found.append(segment.strip())
                continue
            for run in _latin_runs(segment):
                hit = self._run_hit(run)
                if hit:
                    found.append(f"{hit!r} in {segment.strip()[:120]!r}")
        return found

    def _run_hit(self, run: str) -> str | None:
        words = run.split()
        if _normal(run) in self.kept:
            return None
        if _normal(run) in self.plain:
            return run
        for size in range(len(words) - 1, 1, -1):
            for start in range(len(words) - size + 1):
                part = " ".join(words[start : start + size])
                if _normal(part) in self.plain and _normal(part) not in self.kept:
                    return part
        return None


@functools.cache
def catalogue() -> Catalogue:
    return Catalogue()


class _VisibleText(HTMLParser):
    """The text a browser would show (without CSS): text outside script/style/hidden elements and
    <code> (data such as column names), plus button labels and placeholders."""

    SKIP = {"script", "style", "noscript", "template", "head", "title", "code"}
    VOID = {"input", "br", "img", "hr", "meta", "link", "col", "area", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.segments: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.segments.append(attrs["value"])
        if not self.hidden and attrs.get("placeholder"):
            self.segments.append(attrs["placeholder"])
        if tag in self.VOID:
            return
        hidden = tag in self.SKIP or "hidden" in attrs or "hidden" in (attrs.get("class") or "")
        self.stack.append(self.hidden or hidden)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    @property
    def hidden(self) -> bool:
        return bool(self.stack and self.stack[-1])

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.segments.append(data)


def visible_segments(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.segments


def english_left(html_or_segments, data=()) -> list[str]:
    """Untranslated UI strings in an HTML page (or in a browser's list of visible text nodes);
    ``data``: texts the test itself put in the database (user names, ...) that happen to be
    English words."""
    segments = (
        visible_segments(html_or_segments)
        if isinstance(html_or_segments, str)
        else html_or_segments
    )
    data = {_normal(text) for text in data}
    return catalogue().english_in(s for s in segments if _normal(s) not in data)
