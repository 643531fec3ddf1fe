"""Training in the admin: thin classes over ``training.services``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_filters import DateRangeFilter
from portal.dates import local_date
from portal.import_admin import PortalImportExportMixin
from portal.inline_autocomplete import AutocompleteRowsMixin
from training import services
from training.certificates import PDF_MAX_CERTIFICATES, certificate_context, certificates_pdf
from training.forms import (
    AttendanceForm,
    AttendanceInlineForm,
    AttendanceInlineFormSet,
    TrainingSessionForm,
)
from training.models import (
    Attendance,
    CertificateSignatory,
    Consultation,
    Course,
    Participant,
    TrainingSession,
)
from training.resources import (
    AttendanceResource,
    ConsultationResource,
    CourseResource,
    ParticipantResource,
    TrainingSessionResource,
)


class TrainingAdmin(PortalImportExportMixin, SimpleHistoryAdmin):
    show_full_result_count = False
    list_per_page = 50


@admin.register(Course)
class CourseAdmin(TrainingAdmin):
    resource_classes = [CourseResource]
    list_display = (
        "code",
        "title_th",
        "title_en",
        "tool",
        "pass_mark",
        "session_count",
        "is_active",
    )
    list_filter = ("tool", "is_active")
    search_fields = ("code", "title_th", "title_en")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_sessions=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="_sessions")
    def session_count(self, course):
        return course._sessions


class AttendanceInline(AutocompleteRowsMixin, admin.TabularInline):
    model = Attendance
    form = AttendanceInlineForm
    formset = AttendanceInlineFormSet
    fields = (
        "participant",
        "attended",
        "score",
        "completed",
        "certificate_number",
        "certificate",
    )
    readonly_fields = ("certificate_number", "certificate")
    autocomplete_fields = ("participant",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "session__course")

    @admin.display(description=_("certificate"))
    def certificate(self, attendance):
        return certificate_link(attendance)


def certificate_link(attendance):
    if not attendance.pk or not attendance.certificate_number:
        return "–"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a> · <a href="{}">{}</a>',
        reverse("admin:training_attendance_certificate", args=[attendance.pk]),
        gettext("Print certificate"),
        reverse("admin:training_attendance_certificate_pdf", args=[attendance.pk]),
        gettext("PDF"),
    )


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(TrainingSession)
class TrainingSessionAdmin(TrainingAdmin):
    resource_classes = [TrainingSessionResource]
    form = TrainingSessionForm
    inlines = [AttendanceInline]
    list_display = (
        "reference",
        "course",
        "starts_at",
        "mode",
        "province",
        "trainer",
        "capacity",
        "registered",
        "completed_count",
    )
    list_select_related = ("course", "province")
    list_filter = ("course", ("starts_at", DateRangeFilter), "mode")
    search_fields = (
        "reference",
        "course__code",
        "course__title_th",
        "trainer",
        "venue",
    )
    autocomplete_fields = ("province",)
    readonly_fields = ("seats",)
    ordering = ("-starts_at",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                registered=Count("attendances"),
                completed=Count("attendances", filter=Q(attendances__completed=True)),
            )
        )

    @admin.display(description=_("registered"), ordering="registered")
    def registered(self, session):
        return session.registered

    @admin.display(description=_("completed"), ordering="completed")
    def completed_count(self, session):
        return session.completed

    @admin.display(description=_("seats taken"))
    def seats(self, session):
        if not session.pk:
            return "–"
        return f"{session.registered} / {session.capacity}"

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            return super().save_formset(request, form, formset, change)
        attendances = formset.save(commit=False)
        for attendance in formset.deleted_objects:
            attendance.delete()
        services.session_attendances_save(attendances=attendances)


class ParticipantAttendanceInline(admin.TabularInline):
    """A participant's courses, read only: registrations are made on the session."""

    model = Attendance
    verbose_name_plural = _("training record")
    fields = (
        "session",
        "course",
        "attended",
        "score",
        "completed",
        "certificate_number",
        "certificate",
    )
    readonly_fields = fields
    extra = 0
    ordering = ("-session__starts_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__course")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("course"))
    def course(self, attendance):
        return attendance.session.course

    @admin.display(description=_("certificate"))
    def certificate(self, attendance):
        return certificate_link(attendance)


@admin.register(Participant)
class ParticipantAdmin(TrainingAdmin):
    resource_classes = [ParticipantResource]
    inlines = [ParticipantAttendanceInline]
    list_display = ("name", "division", "position", "email", "courses_completed")
    list_filter = ("division",)
    search_fields = ("name", "email", "position")
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_completed=Count("attendances", filter=Q(attendances__completed=True)))
        )

    @admin.display(description=_("courses completed"), ordering="_completed")
    def courses_completed(self, participant):
        return participant._completed


@admin.register(Attendance)
class AttendanceAdmin(TrainingAdmin):
    resource_classes = [AttendanceResource]
    form = AttendanceForm
    list_display = (
        "participant",
        "division",
        "session",
        "course",
        "session_date",
        "attended",
        "score",
        "completed",
        "certificate_number",
        "certificate",
    )
    list_select_related = ("participant", "session__course")
    list_filter = (
        "session__course",
        ("session__starts_at", DateRangeFilter),
        "participant__division",
        "completed",
        "attended",
    )
    search_fields = (
        "participant__name",
        "participant__email",
        "session__reference",
        "certificate_number",
    )
    autocomplete_fields = ("session", "participant")
    readonly_fields = ("completed_on", "certificate_number", "certificate")
    actions = ["mark_completed", "download_certificates"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:  # a registration keeps its session and participant
            fields = ("session", "participant", *fields)
        return fields

    @admin.display(description=_("division"), ordering="participant__division")
    def division(self, attendance):
        return attendance.participant.get_division_display()

    @admin.display(description=_("course"), ordering="session__course__code")
    def course(self, attendance):
        return attendance.session.course.code

    @admin.display(description=_("date"), ordering="session__starts_at")
    def session_date(self, attendance):
        return local_date(attendance.session.starts_at)

    @admin.display(description=_("certificate"))
    def certificate(self, attendance):
        return certificate_link(attendance)

    def save_model(self, request, obj, form, change):
        services.attendance_save(attendance=obj)

    @admin.action(description=_("Mark the selected as completed"), permissions=["change"])
    def mark_completed(self, request, queryset):
        failures = []
        with transaction.atomic():
            for attendance in queryset.select_related("session__course", "participant"):
                try:
                    with transaction.atomic():
                        services.attendance_complete(attendance=attendance)
                except ValidationError as error:
                    failures.append(f"{attendance}: {' '.join(error.messages)}")
            if failures:
                transaction.set_rollback(True)
        if failures:
            self.message_user(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    gettext("Nothing was changed:"),
                    format_html_join("", "<li>{}</li>", ((f,) for f in failures)),
                ),
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                gettext("%(count)s marked as completed.") % {"count": queryset.count()},
                messages.SUCCESS,
            )

    @admin.action(description=_("Download the certificates as PDF"), permissions=["view"])
    def download_certificates(self, request, queryset):
        completed = queryset.filter(completed=True).select_related("participant", "session__course")
        count = completed.count()
        if not count or count > PDF_MAX_CERTIFICATES:
            self.message_user(
                request,
                gettext(
                    "Select between 1 and %(most)s completed attendances: only they have a "
                    "certificate (%(count)s selected)."
                )
                % {"most": PDF_MAX_CERTIFICATES, "count": count},
                messages.ERROR,
            )
            return None
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return pdf_response(certificates_pdf(completed), f"certificates-{stamp}.pdf")

    def get_urls(self):
        return [
            path(
                "<int:pk>/certificate/",
                self.admin_site.admin_view(self.certificate_view),
                name="training_attendance_certificate",
            ),
            path(
                "<int:pk>/certificate.pdf",
                self.admin_site.admin_view(self.certificate_pdf_view),
                name="training_attendance_certificate_pdf",
            ),
            *super().get_urls(),
        ]

    def _completed_or_404(self, request, pk) -> Attendance:
        if not self.has_view_permission(request):
            raise PermissionDenied
        attendance = (
            Attendance.objects.select_related("participant", "session__course")
            .filter(pk=pk, completed=True)
            .first()
        )
        if attendance is None:
            raise Http404(gettext("No certificate: this attendance is not completed."))
        return attendance

    def certificate_view(self, request, pk):
        attendance = self._completed_or_404(request, pk)
        return TemplateResponse(
            request, "training/certificate.html", certificate_context(attendance)
        )

    def certificate_pdf_view(self, request, pk):
        attendance = self._completed_or_404(request, pk)
        return pdf_response(certificates_pdf([attendance]), f"{attendance.certificate_number}.pdf")


@admin.register(Consultation)
class ConsultationAdmin(TrainingAdmin):
    resource_classes = [ConsultationResource]
    list_display = (
        "consulted_on",
        "entrepreneur_name",
        "province",
        "topic",
        "channel",
        "adviser",
        "adviser_courses",
        "follow_up",
        "follow_up_on",
    )
    list_select_related = ("adviser", "province", "seller")
    list_filter = (
        ("consulted_on", DateRangeFilter),
        "topic",
        "channel",
        "follow_up",
        "adviser__division",
    )
    search_fields = ("entrepreneur_name", "contact", "summary", "adviser__name")
    autocomplete_fields = ("adviser", "province", "seller")
    readonly_fields = ("adviser_courses",)
    fieldsets = (
        (
            _("entrepreneur"),
            {"fields": ("seller", "entrepreneur_name", "contact", "province")},
        ),
        (
            _("consultation"),
            {
                "fields": (
                    "consulted_on",
                    "topic",
                    "channel",
                    "adviser",
                    "adviser_courses",
                    "summary",
                )
            },
        ),
        (_("follow-up"), {"fields": ("follow_up", "follow_up_on", "follow_up_note")}),
    )

    def get_queryset(self, request):
        completed = Attendance.objects.filter(completed=True).select_related("session__course")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "adviser__attendances",
                    queryset=completed,
                    to_attr="completed_courses",
                )
            )
        )

    @admin.display(description=_("adviser's completed courses"))
    def adviser_courses(self, consultation):
        if not consultation.pk or not consultation.adviser_id:
            return "–"
        attendances = getattr(consultation.adviser, "completed_courses", None)
        if attendances is None:
            attendances = consultation.adviser.attendances.filter(completed=True).select_related(
                "session__course"
            )
        codes = sorted({a.session.course.code for a in attendances})
        return ", ".join(codes) or "–"


@admin.register(CertificateSignatory)
class CertificateSignatoryAdmin(SimpleHistoryAdmin):
    """Kept by supervisors: a new Director-General is a new row from the day they sign, so a
    certificate printed again keeps the signatory of its own date."""

    list_display = ("signs_from", "name_th", "title_th", "name_en", "has_seal")
    fields = ("signs_from", "name_th", "title_th", "name_en", "title_en", "seal")

    @admin.display(description=_("seal"), boolean=True)
    def has_seal(self, signatory):
        return bool(signatory.seal)
