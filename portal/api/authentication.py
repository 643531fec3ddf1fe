"""Token authentication for the platform API: knox digests, plus revocation and a kept audit row.

Knox deletes an expired token when it is next presented; we keep every token (a supervisor sees who
issued and who revoked it) and refuse an expired or revoked one with a machine-readable code.

The header is ``Authorization: Bearer <token>`` (the schema's HTTP bearer scheme, what a generated
client sends); ``Authorization: Token <token>``, the form first documented, works too.
"""

import re
from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from portal.api.models import ApiToken
from portal.api.permissions import IsPlatformLiaison
from portal.roles import is_platform_user

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_]{16,200}$")
#: The schemes of the ``Authorization`` header this API reads (lower case).
SCHEMES = (b"bearer", b"token")


class PlatformTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in SCHEMES:
            return None  # no header, or one for another backend (the docs page's session)
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Bearer <token>”.")
            )
        return self.authenticate_credentials(parts[1])

    def authenticate_header(self, request) -> str:
        return "Bearer"

    def authenticate_credentials(self, token: bytes):
        invalid = exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid")
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            raise invalid from None
        if not TOKEN_SHAPE.match(text):
            raise invalid
        digest = hash_token(text)
        candidates = ApiToken.objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user")
        for candidate in candidates:
            if not compare_digest(digest, candidate.digest):
                continue
            if candidate.revoked_at is not None:
                raise exceptions.AuthenticationFailed(_("Token revoked."), code="token_revoked")
            if candidate.is_expired:
                raise exceptions.AuthenticationFailed(_("Token expired."), code="token_expired")
            return self.validate_user(candidate)
        raise invalid

    def validate_user(self, auth_token):
        if not auth_token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("User inactive or deleted."), code="user_inactive"
            )
        if not is_platform_user(auth_token.user):
            # Not (or no longer only) the platform's liaison, e.g. given a DIP role after the
            # token was issued: the token would read DIP's drafts, so it is refused here, for
            # every endpoint, whatever its permission classes.
            raise exceptions.PermissionDenied(
                IsPlatformLiaison.message, code=IsPlatformLiaison.code
            )
        return (auth_token.user, auth_token)
