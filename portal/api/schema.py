"""OpenAPI pieces drf-spectacular cannot infer from the code alone."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PlatformTokenScheme(OpenApiAuthenticationExtension):
    """HTTP bearer: ``Authorization: Bearer <token>``, what a generated client sends."""

    target_class = "portal.api.authentication.PlatformTokenAuthentication"
    name = "platformToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "The token a DIP supervisor issued to a TikTok Liaison account (it starts with "
                "`mou_`), as `Authorization: Bearer <token>`."
            ),
        }
