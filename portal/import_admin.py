"""The admin's import and export pages: every model's CSV/XLSX in and out, the same way.

Over ``portal.importing`` (formats, reading, resources) and ``portal.jobs`` (a streamed CSV export;
a large import as a background job), which import neither this module nor each other's admin.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.forms import SelectableFieldsExportForm

from portal.engine import fewer_collections
from portal.importing import CSV, FORMATS, XLSX, column_label, headers_for_people
from portal.internals import ExportFieldLabelMixin, FileExportResponseMixin
from portal.jobs.choices import JobState
from portal.jobs.exports import streaming_csv_response
from portal.jobs.services import file_format_of, import_is_large, import_job_create
from portal.reading import UnreadableFileError
from portal.security.uploads import IMPORT_TYPES, FileTypeValidator
from portal.xlsx import Header, workbook_bytes


class PortalExportForm(ExportFieldLabelMixin, SelectableFieldsExportForm):
    """django-import-export's export form, with its "Select all" box working under the CSP and
    its column checkboxes named by ``column_label``."""

    class Media:
        js = ["portal/export-select-all.js"]

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        # XLSX is chosen unless the user picks CSV: what an office opens in Excel.
        self.initial.setdefault("format", str(formats.index(XLSX)) if XLSX in formats else "")

    def field_label(self, resource, field_name):
        return column_label(resource, field_name)


class _PortalFormatsMixin(FileExportResponseMixin):
    formats = FORMATS
    export_form_class = PortalExportForm

    def file_export_response(self, file_format, request, queryset, export_form):
        """CSV is streamed row by row (portal.jobs.exports), so memory stays flat for any size."""
        if not isinstance(file_format, CSV):
            return None
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(
            **self.get_export_resource_kwargs(request, export_form=export_form)
        )
        return streaming_csv_response(
            resource,
            queryset,
            filename=self.get_export_filename(request, queryset, file_format),
            selected_fields=self.get_export_resource_fields_from_form(export_form),
        )

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The XLSX export with the cells' own types, as import-export gives its own XLSX (whose
        check by exact class misses the portal's): dates are date cells, numbers numbers; the
        headers in Thai for Thai users (``headers_for_people``), which the import reads back."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request, queryset, force_native_type=file_format.is_binary(), **kwargs
        )
        resource_class = self.choose_export_resource_class(kwargs.get("export_form"), request)
        resource = resource_class(**self.get_export_resource_kwargs(request, **kwargs))
        data.headers = headers_for_people(resource, data.headers or [])
        return file_format.export_data(data)


class PortalExportMixin(_PortalFormatsMixin, ExportMixin):
    """Export in CSV/XLSX with formula escaping; permission: the model's view permission."""


class _HideTracebacksMixin:
    """An import page says what is wrong with the file, never a server traceback (paths, code),
    and runs its import (preview and confirmation) with fewer garbage collections."""

    def import_action(self, request, **kwargs):
        # the file's rows, then a preview of a cell per column and row
        with fewer_collections(bounded=True):
            response = super().import_action(request, **kwargs)
            _render_without_tracebacks(response)
        return response

    def process_import(self, request, **kwargs):
        with fewer_collections(bounded=True):  # the confirmed file, at most 2,000 rows
            return super().process_import(request, **kwargs)


def _render_without_tracebacks(response) -> None:
    """Render the import page with no traceback in its errors. The rows' results (thousands of
    objects) go once the page is rendered, not when the response is dropped: the collector
    resumes at the end of the block, and finds them gone."""
    result = (getattr(response, "context_data", None) or {}).get("result")
    if result is None:
        return
    for error in result.base_errors:
        error.traceback = ""
    for _line, errors in result.row_errors():
        for error in errors:
            error.traceback = ""
    response.render()
    response.context_data = None


class PortalImportExportMixin(_PortalFormatsMixin, _HideTracebacksMixin, ImportExportMixin):
    """Import and export; an import writes all rows of a file or none of them."""

    def get_urls(self):
        opts = self.model._meta
        template_url = path(
            "import/template/",
            self.admin_site.admin_view(self.import_template_view),
            name=f"{opts.app_label}_{opts.model_name}_import_template",
        )
        return [template_url, *super().get_urls()]

    def import_template_view(self, request):
        """An XLSX to fill in: the import's columns and one example row, the first object the
        user may see (and a file may change) as the XLSX export writes it, so it imports back
        unchanged. With no such object yet (a fresh database, an officer with no cases), the first
        sheet has the columns only and a second sheet, titled as an example the import does not
        read, shows the Resource's made-up ``template_example`` row under the same columns.
        Permission: the model's import permission."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_class = self.get_import_resource_classes(request)[0]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        example = resource.template_examples(self.get_queryset(request)).order_by("pk")[:1]
        dataset = resource.export(queryset=example, force_native_type=True)
        columns = list(dataset.headers or [])
        headers = headers_for_people(resource, columns)
        title = str(self.model._meta.verbose_name_plural)
        sheets = [(title, [Header(headers), *(list(row) for row in dataset)])]
        if not len(dataset) and resource.template_example:
            made_up = resource.template_example_row(columns)
            sheets.append((_("Example (not imported)"), [Header(headers), made_up]))
        response = HttpResponse(workbook_bytes(sheets), content_type=XLSX().get_content_type())
        filename = f"{self.model._meta.model_name}-template.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def create_import_form(self, request):
        """The file to import is checked like every upload: CSV or XLSX, by name and content."""
        form = super().create_import_form(request)
        form.fields["import_file"].validators.append(FileTypeValidator(IMPORT_TYPES))
        return form

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        """A file above IMPORT_JOB_THRESHOLD_* goes to a background job (portal.jobs)."""
        if request.method == "POST" and request.FILES and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                format_class = self.get_import_formats()[int(form.cleaned_data["format"])]
                upload = form.cleaned_data["import_file"]
                file_format = file_format_of(format_class)
                if file_format and import_is_large(upload=upload, file_format=file_format):
                    job = import_job_create(
                        user=request.user,
                        resource_class=self.choose_import_resource_class(form, request),
                        upload=upload,
                        file_format=file_format,
                    )
                    job.refresh_from_db()  # queued, or failed at once: the broker is down
                    if job.state == JobState.FAILED:
                        messages.error(request, job.message)
                    else:
                        messages.info(
                            request,
                            _("The file is large: it is imported in the background (job #%(id)s).")
                            % {"id": job.pk},
                        )
                    return redirect("admin:jobs_job_change", job.pk)
                upload.seek(0)
        return super().import_action(request, **kwargs)
