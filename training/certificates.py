"""What a certificate of completion shows, in Thai and in English, and its PDF."""

import base64
import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.dates import format_date
from portal.pdf_text import write_pdf
from portal.security.uploads import safe_content_type
from training.models import Attendance, CertificateSignatory


def thai_date(day) -> str:
    """25 พฤศจิกายน พ.ศ. 2569: the certificate's long Thai date (in the Buddhist era)."""
    with translation.override("th"):
        return format_date(day, "j F พ.ศ. Y")


def english_date(day) -> str:
    """25 November 2026: the certificate's long English date."""
    with translation.override("en"):
        return format_date(day, "j F Y")


def seal_data_uri(signatory: CertificateSignatory | None) -> str:
    """The signatory's seal inline (``data:``): the PDF renderer fetches nothing, and the printable
    page needs no download link."""
    if signatory is None or not signatory.seal:
        return ""
    with signatory.seal.open("rb") as seal:
        data = base64.b64encode(seal.read()).decode("ascii")
    return f"data:{safe_content_type(signatory.seal.name)};base64,{data}"


def certificate_context(attendance: Attendance) -> dict:
    session = attendance.session
    day = attendance.completed_on or timezone.localdate(session.ends_at)
    signatory = CertificateSignatory.on(day)
    return {
        "signatory": signatory,
        "seal": seal_data_uri(signatory),
        "attendance": attendance,
        "participant": attendance.participant,
        "course": session.course,
        "session": session,
        "number": attendance.certificate_number,
        "date_th": thai_date(day),
        "date_en": english_date(day),
        "session_date_th": thai_date(timezone.localdate(session.starts_at)),
        "session_date_en": english_date(timezone.localdate(session.starts_at)),
    }


#: One PDF download holds at most this many certificates (one page each).
PDF_MAX_CERTIFICATES = 200


def _refuse_fetch(url, *args, **kwargs):
    """The PDF renderer reads nothing from outside: its stylesheet is handed to it, and the seal
    is inline (``data:``)."""
    if url.startswith("data:") and ";base64," in url:
        from weasyprint.urls import URLFetcherResponse

        header, _, data = url.partition(",")
        content_type = header.removeprefix("data:").split(";")[0]
        return URLFetcherResponse(
            url, body=base64.b64decode(data), headers={"Content-Type": content_type}
        )
    raise ValueError(f"Certificates load no external resource: {url}")


def certificates_pdf(attendances) -> bytes:
    """The certificates of completed ``attendances`` as one PDF, an A4 landscape page each.

    Rendered by WeasyPrint from the printable page (``training/certificate.html``) with its print
    stylesheet; the Thai text is set in Debian's TLWG fonts (fonts-thai-tlwg).
    """
    from weasyprint import HTML  # needs Pango; imported only when a PDF is made

    stylesheet = _pdf_stylesheet()
    documents = [
        HTML(
            string=render_to_string(
                "training/certificate.html", {**certificate_context(attendance), "pdf": True}
            ),
            url_fetcher=_refuse_fetch,
        ).render(stylesheets=[stylesheet])
        for attendance in attendances
    ]
    pages = [page for document in documents for page in document.pages]
    return write_pdf(documents[0].copy(pages))


@functools.cache
def _pdf_stylesheet():
    """The certificate's print stylesheet, parsed once per process."""
    from weasyprint import CSS

    return CSS(
        string=Path(finders.find("training/certificate.css")).read_text(encoding="utf-8"),
        url_fetcher=_refuse_fetch,
    )


def pdf_renderer_warm_up() -> None:
    """Load WeasyPrint, its stylesheet and the Thai fonts once, as the server process starts:
    the first certificate of a process used to take two seconds more than the next. Without
    Pango (no PDF certificates on this machine) there is nothing to warm."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        return
    write_pdf(
        HTML(string='<p lang="th">ประกาศนียบัตร Certificate</p>', url_fetcher=_refuse_fetch).render(
            stylesheets=[_pdf_stylesheet()]
        )
    )
