"""The dashboard's URLs, mounted inside the admin site by ``DashboardConfig.ready``."""

from functools import partial, update_wrapper

from django.urls import path

from portal.dashboard import views


def admin_urls(admin_site):
    def wrap(view):
        wrapped = admin_site.admin_view(partial(view, admin_site=admin_site))
        return update_wrapper(wrapped, view)

    return [
        path("dashboard/", wrap(views.dashboard_view), name="dashboard"),
        path("dashboard/recompute/", wrap(views.recompute_view), name="dashboard_recompute"),
        path("dashboard/report/", wrap(views.report_view), name="dashboard_report"),
        path(
            "dashboard/report/<uuid:job_id>/",
            wrap(views.report_job_view),
            name="dashboard_report_job",
        ),
        path(
            "dashboard/report/<uuid:job_id>/download/",
            wrap(views.report_download_view),
            name="dashboard_report_download",
        ),
    ]
