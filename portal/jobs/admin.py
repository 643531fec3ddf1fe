import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.formulas import escape_formula
from portal.jobs.choices import RETRYABLE_STATES, UNFINISHED_STATES, JobState
from portal.jobs.models import Job, JobError
from portal.jobs.services import job_cancel, job_may_manage, job_retry
from portal.numbers import readable_number

ERRORS_SHOWN = 50


def job_status(job: Job) -> dict:
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "phase": job.phase,
        "phase_label": str(job.get_phase_display()),
        "percent": job.percent,
        "finished": job.finished,
        "rows_total": job.rows_total,
        # counted as the file is read: until the job ends, what the share read so far promises
        "rows_total_text": ("≈ " if job.state == JobState.RUNNING else "")
        + readable_number(job.rows_total),
        "rows_validated": job.rows_validated,
        "rows_written": job.rows_written,
        "rows_new": job.rows_new,
        "rows_updated": job.rows_updated,
        "rows_skipped": job.rows_skipped,
        "error_count": job.error_count,
        "message": job.message,
    }


class _Echo:
    def write(self, value):
        return value


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "file_name",
        "content_type",
        "state",
        "progress",
        "rows_total",
        "error_count",
        "created_by",
        "created_at",
    )
    list_display_links = ("id", "file_name")
    list_filter = ("state", "kind")
    list_select_related = ("content_type", "created_by")
    show_full_result_count = False
    search_fields = ("file_name",)
    fields = (
        "kind",
        "content_type",
        "file_name",
        "file_format",
        "state",
        "phase",
        "rows_total",
        "rows_validated",
        "rows_written",
        "rows_new",
        "rows_updated",
        "rows_skipped",
        "error_count",
        "message",
        "attempts",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
    )
    readonly_fields = fields
    change_form_template = "admin/jobs/job/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("content_type", "created_by")
        if request.user.is_superuser or request.user.has_perm("jobs.view_all_jobs"):
            return queryset
        return queryset.filter(created_by=request.user)

    def has_add_permission(self, request):
        return False  # a job starts from a model's import page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.finished:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return format_html(
            '<progress max="100" value="{}">{}%</progress>', obj.percent, obj.percent
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:job_id>/status/", wrap(self.status_view), name="jobs_job_status"),
            path("<int:job_id>/errors.csv", wrap(self.errors_view), name="jobs_job_errors"),
            path("<int:job_id>/cancel/", wrap(self.cancel_view), name="jobs_job_cancel"),
            path("<int:job_id>/retry/", wrap(self.retry_view), name="jobs_job_retry"),
            *super().get_urls(),
        ]

    def _visible_job(self, request, job_id) -> Job:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=job_id)

    def _managed_job(self, request, job_id) -> Job:
        """A job the user may cancel or retry: its owner or a supervisor."""
        job = self._visible_job(request, job_id)
        if not job_may_manage(user=request.user, job=job):
            raise PermissionDenied
        return job

    @method_decorator(require_POST)
    def cancel_view(self, request, job_id):
        job = self._managed_job(request, job_id)
        if job_cancel(job=job, user=request.user):
            self.message_user(request, gettext("Job #%(id)s is cancelled.") % {"id": job.pk})
        else:
            self.message_user(
                request,
                gettext("Job #%(id)s had already finished; nothing was cancelled.")
                % {"id": job.pk},
                messages.WARNING,
            )
        return redirect("admin:jobs_job_change", job.pk)

    @method_decorator(require_POST)
    def retry_view(self, request, job_id):
        job = self._managed_job(request, job_id)
        if not job_retry(job=job):
            self.message_user(
                request,
                gettext("Only a failed or cancelled job can be retried."),
                messages.WARNING,
            )
        else:
            job.refresh_from_db()
            if job.state == JobState.FAILED:  # the broker is still down
                self.message_user(request, job.message, messages.ERROR)
            else:
                self.message_user(request, gettext("Job #%(id)s is queued again.") % {"id": job.pk})
        return redirect("admin:jobs_job_change", job.pk)

    def status_view(self, request, job_id):
        job = self._visible_job(request, job_id)
        return JsonResponse(job_status(job))  # admin_view adds never_cache

    def errors_view(self, request, job_id):
        job = self._visible_job(request, job_id)
        writer = csv.writer(_Echo(), lineterminator="\r\n")
        header = [gettext("row"), gettext("column"), gettext("reason")]

        def rows():
            yield "\ufeff" + writer.writerow(header)
            errors = JobError.objects.filter(job=job).order_by("row", "id")
            for error in errors.values_list("row", "column", "reason").iterator(chunk_size=2000):
                yield writer.writerow([escape_formula(value) for value in error])

        response = StreamingHttpResponse(
            (chunk.encode("utf-8") for chunk in rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-errors.csv"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        job = self.get_object(request, object_id)
        if job is not None:
            extra_context.update(
                job_status=job_status(job),
                status_url=reverse("admin:jobs_job_status", args=[job.pk]),
                errors_url=reverse("admin:jobs_job_errors", args=[job.pk]),
                job_errors=list(job.errors.all()[:ERRORS_SHOWN]),
                errors_shown=ERRORS_SHOWN,
                may_manage=job_may_manage(user=request.user, job=job),
                may_cancel=job.state in UNFINISHED_STATES,
                may_retry=job.state in RETRYABLE_STATES,
                cancel_url=reverse("admin:jobs_job_cancel", args=[job.pk]),
                retry_url=reverse("admin:jobs_job_retry", args=[job.pk]),
            )
        return super().change_view(request, object_id, form_url, extra_context)
