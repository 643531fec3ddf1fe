from django.conf import settings
from django.http import HttpResponse
from django.template import loader


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
