"""The import preview's cells are those django-import-export's ``Diff`` writes, made quicker for
the values a row leaves unchanged (every cell of a new row)."""

import pytest
from import_export import resources

from portal.importing import Diff

VALUES = ["", None, "ข้าวหอมมะลิ", 'a & b <c> "d"', "line 1\nline 2", 38, 38.0, "  x  "]


def cells(diff_class, left, right, new):
    diff = diff_class.__new__(diff_class)
    diff.left, diff.right, diff.new = left, right, new
    return [str(cell) for cell in diff.as_html()]


@pytest.mark.parametrize("new", [True, False])
def test_unchanged_and_changed_cells_read_as_the_library_writes_them(new):
    left = VALUES + VALUES
    right = VALUES + list(reversed(VALUES))  # the second half changed, the first not
    assert cells(Diff, left, right, new) == cells(resources.Diff, left, right, new)
    assert cells(Diff, left, left, new) == cells(resources.Diff, left, left, new)
    assert cells(Diff, left, [], new) == []


LIBRARY_LOOP = """{% load i18n %}{% for row in result.valid_rows %}
<tr class="{{ row.import_type }}"><td class="import-type">
{% if row.import_type == 'new' %}{% translate "New" %}
{% elif row.import_type == 'skip' %}{% translate "Skipped" %}
{% elif row.import_type == 'delete' %}{% translate "Delete" %}
{% elif row.import_type == 'update' %}{% translate "Update" %}{% endif %}
</td>{% for field in row.diff %}<td>{{ field }}</td>{% endfor %}</tr>{% endfor %}"""


def test_preview_rows_are_those_the_library_template_writes():
    """``import_preview_rows`` writes the library's preview loop: each row's kind (translated)
    and its cells, the diff's HTML as it is and anything else escaped."""
    import re

    from django.template import Context, Template
    from django.utils import translation
    from django.utils.safestring import mark_safe
    from import_export.results import Result, RowResult

    from portal.templatetags.import_preview import import_preview_rows

    result = Result()
    for kind in ("new", "update", "skip"):
        row = RowResult()
        row.import_type = kind
        row.diff = [mark_safe("<span>ข้าว &amp; ปลา</span>"), "<script>x</script>", ""]
        result.append_row_result(row)

    def tags(html):
        return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html))).strip()

    with translation.override("th"):
        ours = tags(import_preview_rows(result))
        theirs = tags(Template(LIBRARY_LOOP).render(Context({"result": result})))
    assert ours == theirs
    assert "&lt;script&gt;" in ours and "<script>" not in ours
