"""The dashboard page and its downloads, inside the admin (``portal.dashboard.urls``)."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.dashboard import presentation, reports, services
from portal.dashboard.choices import ReportFormat, ReportStatus
from portal.dashboard.forms import ReportForm, ScopeForm
from portal.dashboard.models import ReportJob
from portal.dashboard.selectors import detail_row_count, snapshot_trend
from portal.dates import local_date

FULL_PERMISSION = "dashboard.view_dashboard"
TAKEDOWN_PERMISSION = "dashboard.view_takedown_dashboard"
RECOMPUTE_PERMISSION = "dashboard.recompute_dashboard"


def platform_only_for(user) -> bool:
    """False: the whole dashboard; True: the takedown part for forwarded cases; else refused."""
    if user.has_perm(FULL_PERMISSION):
        return False
    if user.has_perm(TAKEDOWN_PERMISSION):
        return True
    raise PermissionDenied


def _trend_chart(figures: dict, trend: list[tuple[str, dict]]) -> dict | None:
    if not trend:
        return None
    targets = figures["sections"].get("targets") or []
    series = [
        {
            "label": row["name"],
            "data": [point.get("targets", {}).get(str(row["id"])) for _day, point in trend],
        }
        for row in targets
    ]
    unit = "percent" if series else None  # the targets' progress
    if not series:
        series = [
            {"label": str(label), "data": [point.get(key) for _day, point in trend]}
            for key, label in presentation.TREND_SERIES
            if any(point.get(key) is not None for _day, point in trend)
        ]
    # the days in the reader's calendar: Buddhist era in Thai ("5 ม.ค. 2569")
    labels = [local_date(date.fromisoformat(day)) for day, _point in trend]
    chart = {"type": "line", "labels": labels, "series": series}
    if unit:
        chart["unit"] = unit
    return chart


@require_GET
def dashboard_view(request, admin_site):
    platform_only = platform_only_for(request.user)
    form = ScopeForm(request.GET or None, platform_only=platform_only)
    scope = form.scope()
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # the page says what is wrong, and shows the whole MOU meanwhile
    elif form.is_bound:
        query = form.query()
        if query != {name: request.GET[name] for name in form.fields if request.GET.get(name)}:
            # dates typed in the user's era (or other parameters): one address, in ISO
            back = reverse(f"{admin_site.name}:dashboard")
            return redirect(back + (f"?{urlencode(query)}" if query else ""))
        # shown in the user's era (BE in Thai), not as the query string's ISO
        form = ScopeForm(initial=form.cleaned_data, platform_only=platform_only)
    figures = services.figures_get(scope=scope)
    sections = figures["sections"]
    charts = presentation.chart_data(figures)
    trend = _trend_chart(figures, snapshot_trend(services.snapshot_scope_of(scope)))
    if trend:
        charts["trend"] = trend
    period = figures.get("period")
    case_list_url = reverse(f"{admin_site.name}:takedowns_takedowncase_changelist")
    context = {
        **admin_site.each_context(request),
        "title": _("MOU progress dashboard"),
        "form": form,
        "media": forms.Media(js=[reverse(f"{admin_site.name}:jsi18n"), "admin/js/core.js"])
        + form.media,
        "report_form": ReportForm(initial=scope.as_dict(), platform_only=platform_only),
        "scope": scope,
        "platform_only": platform_only,
        "computed_at": datetime.fromisoformat(figures["computed_at"]),
        "period_label": presentation.period_label(period),
        "targets": presentation.target_rows(sections.get("targets"))
        if "targets" in sections
        else None,
        "target_headers": presentation.TARGET_HEADERS,
        "sections": [
            {
                "key": key,
                "title": presentation.SECTION_TITLES[key],
                "available": sections[key] is not None,
                "scalars": presentation.scalar_rows(key, sections[key], period, case_list_url),
                "tables": presentation.tables(key, sections[key], period, case_list_url),
                "charts": [
                    (chart, title)
                    for chart, title in presentation.CHARTS_BY_SECTION.get(key, ())
                    if chart in charts
                ],
            }
            for key in scope.sections
            if key != "targets"
        ],
        "charts": charts,
        "has_trend": bool(trend),
        "can_recompute": request.user.has_perm(RECOMPUTE_PERMISSION),
        "report_formats": ReportFormat.choices,
    }
    return TemplateResponse(request, "dashboard/index.html", context, status=status)


@require_POST
def recompute_view(request, admin_site):
    """ "Recompute now" (a POST with the CSRF token, for the roles that keep the figures): one
    recompute at a time, at most once a minute; back to the page with the same filters."""
    platform_only_for(request.user)
    if not request.user.has_perm(RECOMPUTE_PERMISSION):
        raise PermissionDenied
    if services.figures_recompute_now():
        messages.success(
            request, _("The figures are being recomputed; the page shows them within a minute.")
        )
    else:
        messages.info(
            request,
            _(
                "The figures are already being recomputed (at most once a minute); the page "
                "shows them as soon as they are ready."
            ),
        )
    back = reverse(f"{admin_site.name}:dashboard")
    filters = ScopeForm(request.GET)
    if filters.is_valid() and (kept := filters.query()):
        back += f"?{urlencode(kept)}"
    return redirect(back)


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "csv": "text/csv; charset=utf-8",
}


@require_POST
def report_view(request, admin_site):
    """Small reports are sent at once; large ones go to a Celery task with a progress page."""
    platform_only = platform_only_for(request.user)
    form = ReportForm(request.POST, platform_only=platform_only)
    if not form.is_valid():
        return HttpResponse(
            _("The report request is not valid: %(errors)s") % {"errors": form.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    scope = form.scope()
    report_format = form.cleaned_data["format"]
    section = form.cleaned_data.get("section")
    if section and section not in scope.sections:
        raise PermissionDenied
    if detail_row_count(scope) > reports.STREAM_MAX_ROWS:
        job = services.report_job_create(
            user=request.user, scope=scope, report_format=report_format
        )
        job.refresh_from_db(fields=["status", "error"])  # failed at once if the broker is down
        if job.status == ReportStatus.FAILED:
            messages.error(request, job.error)
        return redirect(reverse(f"{admin_site.name}:dashboard_report_job", args=[job.pk]))
    figures = services.figures_get(scope=scope)  # the same figures as the page
    if report_format == ReportFormat.XLSX:
        content = reports.build_xlsx(scope, figures=figures)
        return _attachment(content, reports.report_filename(scope, "xlsx"), CONTENT_TYPES["xlsx"])
    if section:
        content = reports.write_csv(reports.csv_lines(scope, section, figures))
        filename = reports.report_filename(scope, "csv", section)
        return _attachment(content, filename, CONTENT_TYPES["csv"])
    content = reports.build_csv_zip(scope, figures=figures)
    return _attachment(content, reports.report_filename(scope, "zip"), CONTENT_TYPES["zip"])


def _own_job(request, job_id) -> ReportJob:
    platform_only = platform_only_for(request.user)
    job = get_object_or_404(
        ReportJob.objects.defer("content"), pk=job_id, requested_by=request.user
    )
    if platform_only and not job.scope.get("platform_only"):
        raise PermissionDenied  # the reader has lost the whole dashboard since asking
    return job


@require_GET
def report_job_view(request, admin_site, job_id):
    job = _own_job(request, job_id)
    download = (
        reverse(f"{admin_site.name}:dashboard_report_download", args=[job.pk])
        if job.status == ReportStatus.DONE
        else ""
    )
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "progress": job.progress,
                "download": download,
                "error": job.error if job.status == ReportStatus.FAILED else "",
            }
        )
    context = {
        **admin_site.each_context(request),
        "title": _("Report"),
        "job": job,
        "download": download,
        "status_url": reverse(f"{admin_site.name}:dashboard_report_job", args=[job.pk])
        + "?format=json",
    }
    return TemplateResponse(request, "dashboard/report_job.html", context)


@require_GET
def report_download_view(request, admin_site, job_id):
    job = _own_job(request, job_id)
    if job.status != ReportStatus.DONE:
        raise Http404
    content = ReportJob.objects.values_list("content", flat=True).get(pk=job.pk)
    extension = job.filename.rsplit(".", 1)[-1]
    return _attachment(bytes(content), job.filename, CONTENT_TYPES.get(extension, "text/plain"))
