"""The import page's preview table, written in Python: a 2,000-row file has some 30,000 cells,
which Django's template loop takes a quarter of a second to write."""

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export.results import RowResult

register = template.Library()


@register.simple_tag
def import_preview_rows(result):
    """The preview's rows as the library's template writes them: the row's kind, then its
    cells (each the HTML of its value's diff; anything else escaped, as ``{{ cell }}`` would)."""
    kinds = {
        RowResult.IMPORT_TYPE_NEW: _("New"),
        RowResult.IMPORT_TYPE_SKIP: _("Skipped"),
        RowResult.IMPORT_TYPE_DELETE: _("Delete"),
        RowResult.IMPORT_TYPE_UPDATE: _("Update"),
    }
    rows = (
        format_html(
            '<tr class="{}"><td class="import-type">{}</td>{}</tr>',
            row.import_type,
            kinds.get(row.import_type, ""),
            mark_safe("".join(f"<td>{conditional_escape(cell)}</td>" for cell in row.diff)),
        )
        for row in result.valid_rows()
    )
    return format_html_join("\n", "{}", ((row,) for row in rows))
