from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils import translation

from portal.roles import preferred_language
from portal.security.uploads import file_limits, megabytes


def page_file_limits(view_func) -> dict[int, list[str]]:
    """The file size limits of an admin page: its model's and its inlines' file fields."""
    model_admin = getattr(view_func, "model_admin", None)
    if model_admin is None:
        return {}
    return file_limits([model_admin.model, *(inline.model for inline in model_admin.inlines)])


def request_limit(limits: dict[int, list[str]]) -> int:
    """The largest request body a page with these file limits (``page_file_limits``) admits: the
    usual ``MAX_UPLOAD_SIZE``, and on top of it the largest file the page takes if that file
    alone would not fit in it (a video beside the rest of a case's form)."""
    usual = settings.MAX_UPLOAD_SIZE
    return usual + max((limit for limit in limits if limit > usual), default=0)


class UploadSizeLimitMiddleware:
    """Refuse a request body larger than its page admits before anything parses it.

    Every page admits ``MAX_UPLOAD_SIZE``; an admin page whose model or inlines take a larger file
    (evidence: a video up to ``MAX_VIDEO_UPLOAD_SIZE``) admits that much more to a signed-in user
    (``request_limit``), so every file a form accepts can reach it. Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, so this answers 413 from the
    declared length alone, naming the limits. It works in ``process_view`` (the page and the user
    known, the body not read yet): it comes before CsrfViewMiddleware, the first to read the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= settings.MAX_UPLOAD_SIZE:
            return None
        limits = page_file_limits(view_func) if request.user.is_authenticated else {}
        limit = request_limit(limits)
        if length <= limit:
            return None
        body = loader.get_template("security/413.html").render(
            {
                "LANGUAGE_CODE": translation.get_language(),
                "limit_mb": megabytes(limit),
                "file_limits": [
                    {"extensions": ", ".join(extensions), "limit_mb": megabytes(size)}
                    for size, extensions in sorted(limits.items())
                ],
            }
        )
        return HttpResponse(body, status=413)


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
