"""Text a spreadsheet would run as a formula, escaped on the way out and unescaped on the way in.

Every file the portal writes (CSV, XLSX) escapes its text cells; every file it reads unescapes
them, so an exported file imported again changes nothing.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    """True for text a spreadsheet would evaluate once its leading ``'`` are taken away.

    Text already starting with ``'`` before a trigger (``'+66``) is quoted once more, so that
    ``unescape_formula`` can always tell an escape it must remove from a quote that is data.
    """
    return text.lstrip("'").startswith(FORMULA_TRIGGERS)


def escape_formula(value):
    """Prefix ``'`` to a text cell a spreadsheet would evaluate; other values pass unchanged."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def unescape_formula(value):
    """Undo ``escape_formula``: ``unescape_formula(escape_formula(v)) == v`` for every value."""
    if isinstance(value, str) and value.startswith("'") and _needs_quote(value):
        return value[1:]
    return value
