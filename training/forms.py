"""Admin forms: model validation first, then the rules from ``training.services``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.internals import ValidateAfterModelMixin, formset_deletes
from training import services
from training.models import Attendance, TrainingSession


class TrainingSessionForm(ValidateAfterModelMixin, forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = (
            "course",
            "reference",
            "starts_at",
            "ends_at",
            "mode",
            "venue",
            "province",
            "online_url",
            "trainer",
            "capacity",
            "notes",
        )

    def validate_after_model(self):
        services.session_validate_capacity(session=self.instance)


class AttendanceForm(ValidateAfterModelMixin, forms.ModelForm):
    """One attendance row on its own page."""

    class Meta:
        model = Attendance
        fields = ("session", "participant", "attended", "score", "completed")

    def validate_after_model(self):
        attendance = self.instance
        if attendance.session_id and attendance.session.pk:
            services.attendance_validate(attendance=attendance)
        elif hasattr(attendance, "session"):  # a new session, not saved yet
            services.attendance_check_completion(
                attendance=attendance, course=attendance.session.course
            )


class AttendanceInlineForm(AttendanceForm):
    """A line of a session's inline: its formset locks the session once and counts the seats of
    all rows; a participant registered twice is refused by the model's own unique check."""

    def validate_after_model(self):
        session = self.instance.session
        if session.course_id:  # else the session's own form says the course is missing
            services.attendance_check_completion(attendance=self.instance, course=session.course)


class AttendanceInlineFormSet(forms.BaseInlineFormSet):
    """Counts the seats the session will have once every row of the inline is saved."""

    def full_clean(self):
        """The session stays locked from before its rows are checked until they are saved
        (the admin saves in the same transaction)."""
        if self.is_bound and self.instance.pk:
            services.session_lock(session_id=self.instance.pk)
        super().full_clean()

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        session = self.instance
        existing = session.attendances.count() if session.pk else 0
        removed = sum(1 for form in self.forms if form.instance.pk and formset_deletes(self, form))
        added = sum(
            1
            for form in self.forms
            if not form.instance.pk and form.has_changed() and not formset_deletes(self, form)
        )
        if not session.capacity:
            return
        try:
            services.session_check_capacity(
                session=session, registrations=existing - removed + added
            )
        except ValidationError as error:
            raise ValidationError(
                error.messages + [_("Remove a registration or raise the capacity of the session.")]
            ) from error
