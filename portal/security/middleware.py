from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils import translation

from portal.roles import preferred_language


class UploadSizeLimitMiddleware:
    """Refuse a request body larger than ``MAX_UPLOAD_SIZE`` before anything parses it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, so a large file would be
    streamed to disk and handed to a parser; this answers 413 from the declared length alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "MAX_UPLOAD_SIZE", None)
        if limit:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                body = loader.get_template("security/413.html").render(
                    {"limit_mb": round(limit / 1024 / 1024, 1)}
                )
                return HttpResponse(body, status=413)
        return self.get_response(request)


class RoleLanguageMiddleware:
    """A signed-in user works in their role's language (DIP Thai, the platform's liaison English),
    whatever the browser asks for; a language picked with the header's switch (its cookie) wins.

    Runs after authentication; Django's LocaleMiddleware has already handled the cookie and, for
    visitors such as the login page, the browser's Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = preferred_language(request.user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
