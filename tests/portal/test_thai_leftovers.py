"""Issue 25, item 9: the Thai catalogues say in Thai what officials read in Thai."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Terms that were left in English (or as a second name in brackets) in Thai translations.
LEFTOVERS = re.compile(r"\bSLA\b|\bGMV\b|SHA-256|\bISO\b|เซสชัน|\(Power of attorney\)|\(attended\)")


def _thai_translations():
    for po in sorted(ROOT.glob("*/**/locale/th/LC_MESSAGES/django.po")):
        if ".venv" in po.parts or "library_locale" in po.parts:
            continue
        text = po.read_text(encoding="utf-8")
        for match in re.finditer(r'^msgstr(?:\[\d\])? "(.*)"$', text, re.M):
            yield po.relative_to(ROOT), match.group(1)


def test_thai_leftovers_none_in_the_catalogues():
    found = [f"{path}: {text}" for path, text in _thai_translations() if LEFTOVERS.search(text)]
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_thai_leftovers_case_list_reads_thai_time_limit(client_for, officer):
    from django.urls import reverse

    html = client_for(officer).get(reverse("admin:takedowns_takedowncase_changelist")).content
    assert "กรอบเวลา".encode() in html
    assert b"SLA" not in html.replace(b"sla", b"")
