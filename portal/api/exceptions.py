"""Every API error has one shape: ``{"code": "...", "detail": "...", "errors": {...}?}``.

A refusal from the state-machine service (django ``ValidationError``) becomes a 422 with the
service's own code and message — the same refusal the admin shows; a role refusal
(``PermissionDenied``) becomes a 403. An unreachable cache or database is a 503 with
``Retry-After`` (``service_unavailable``), in JSON like the rest, not the site's HTML error page.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from portal.api.throttling import CACHE_ERRORS
from portal.security.views import DATABASE_ERRORS

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is unavailable for a moment. Try again shortly.")
    default_code = "service_unavailable"


class Refused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The move was refused.")
    default_code = "refused"

    def __init__(self, detail=None, code=None, errors=None):
        super().__init__(detail, code)
        self.errors = errors


def error_code(error: DjangoValidationError, default: str = "refused") -> str:
    """The first machine-readable code a ValidationError carries."""
    if getattr(error, "code", None):
        return error.code
    if hasattr(error, "error_dict"):
        for errors in error.error_dict.values():
            for item in errors:
                if item.code:
                    return item.code
    for item in getattr(error, "error_list", []):
        if item.code:
            return item.code
    return default


class Conflict(Refused):
    """Someone else changed the case meanwhile: reload and decide again."""

    status_code = status.HTTP_409_CONFLICT


def refusal_from(error: DjangoValidationError) -> Refused:
    errors = error.message_dict if hasattr(error, "error_dict") else None
    code = error_code(error)
    refusal = Conflict if code == "stale" else Refused
    return refusal(" ".join(error.messages), code=code, errors=errors)


def exception_handler(exc, context):
    unavailable = isinstance(exc, CACHE_ERRORS + DATABASE_ERRORS)
    if unavailable:
        logger.error("API request failed: a backing service is unreachable", exc_info=exc)
        exc = ServiceUnavailable()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = refusal_from(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(
            str(exc) or exceptions.PermissionDenied.default_detail,
            code=getattr(exc, "code", None) or "permission_denied",
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": str(_("The request is not valid.")),
            "errors": response.data,
        }
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
    response.data = {"code": str(code), "detail": str(detail)}
    if getattr(exc, "errors", None):
        response.data["errors"] = exc.errors
    return response
