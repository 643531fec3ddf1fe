"""The language a page is being written in, for names kept in both languages."""

from django.utils import translation


def thai_active() -> bool:
    """True while Thai is the active language (DIP's pages); English otherwise."""
    return (translation.get_language() or "").split("-")[0] == "th"


def in_active_language(thai: str, english: str) -> str:
    """The name for the active language, or the other one when that is blank."""
    return (thai or english) if thai_active() else (english or thai)
