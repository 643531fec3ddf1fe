"""Validators shared by the apps (the core: any app may import them)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

#: The only schemes a stored web address may have: anything else (``javascript:``, ``data:``,
#: ``vbscript:``, ``file:``) must never become a link in a page.
WEB_SCHEMES = ("http", "https")

validate_web_url = URLValidator(
    schemes=list(WEB_SCHEMES),
    message=_("Enter a web address that starts with http:// or https://."),
    code="invalid_url",
)


def is_web_url(value: str) -> bool:
    """Whether ``value`` passes ``validate_web_url`` (for showing it as a link)."""
    try:
        validate_web_url(value)
    except ValidationError:
        return False
    return True
