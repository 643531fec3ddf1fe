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
    """One attendance row, alone or as a line of a session's inline."""

    #: False in the session's inline, whose formset counts the seats of all its rows at once.
    check_capacity = True

    class Meta:
        model = Attendance
        fields = ("session", "participant", "attended", "score", "completed")

    def validate_after_model(self):
        attendance = self.instance
        if attendance.session_id and attendance.session.pk:
            services.attendance_validate(attendance=attendance, check_capacity=self.check_capacity)
        elif hasattr(attendance, "session"):  # a new session, not saved yet
            services.attendance_check_completion(
                attendance=attendance, course=attendance.session.course
            )


class AttendanceInlineForm(AttendanceForm):
    check_capacity = False


class AttendanceInlineFormSet(forms.BaseInlineFormSet):
    """Counts the seats the session will have once every row of the inline is saved."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        session = self.instance
        existing = 0
        if session.pk:
            services.session_lock(session_id=session.pk)
            existing = session.attendances.count()
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
