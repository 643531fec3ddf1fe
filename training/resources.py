"""CSV/XLSX import and export of training data.

Every import goes through ``training.services`` (capacity, one registration per session, completion
rules, certificates), the same functions the admin calls, and writes a whole file or nothing.
"""

import functools
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from portal.importing import (
    DateWidget,
    IntegerWidget,
    PortalResource,
    PreloadingForeignKeyWidget,
)
from portal.models import Province
from training import services
from training.choices import (
    ConsultationChannel,
    ConsultationTopic,
    Division,
    FollowUp,
    PlatformTool,
)
from training.models import (
    Attendance,
    Consultation,
    Course,
    Participant,
    TrainingSession,
)

TRUE_WORDS = {"1", "true", "yes", "y", "x", "✓", "✔", "ใช่", "มา", "เข้าร่วม", "ผ่าน"}
FALSE_WORDS = {"0", "false", "no", "n", "ไม่", "ไม่ใช่", "ไม่มา", "ไม่เข้าร่วม", "ไม่ผ่าน"}


class YesNoWidget(widgets.BooleanWidget):
    """Yes/no as people write it on a sign-in sheet; anything else is a row error, never False."""

    def clean(self, value, row=None, **kwargs):
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, int | float):
            value = str(int(value))
        text = str(value).strip().lower()
        if text == "" or text in FALSE_WORDS:
            return False
        if text in TRUE_WORDS:
            return True
        raise ValueError(_("“%(value)s” is not yes or no (use 1 or 0).") % {"value": value})


@functools.cache  # the labels of a choices class do not change while the process runs
def _choice_names(choices) -> dict[str, str]:
    """Each choice's code and its English and Thai labels, lowercased -> the code."""
    names = {}
    for choice in reversed(choices):  # the first choice wins a name two choices share
        for language in ("en", "th"):
            with translation.override(language):
                names[str(choice.label).lower()] = choice.value
        names[str(choice.value).lower()] = choice.value
    return names


class ChoiceWidget(widgets.Widget):
    """A TextChoices value given as its code, or its English or Thai label."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        found = _choice_names(self.choices).get(text.lower())
        if found is not None:
            return found
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.")
            % {
                "value": text,
                "allowed": ", ".join(f"{choice.label} ({choice.value})" for choice in self.choices),
            }
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class LookupWidget(PreloadingForeignKeyWidget):
    """A foreign key by a natural key; an unknown value is a row error that says what was given."""

    def __init__(self, model, field, *, lower=False, **kwargs):
        self.lower = lower
        super().__init__(model, field=field, **kwargs)

    def lookup_text(self, value) -> str:
        text = str(value or "").strip()
        return text.lower() if self.lower else text

    def preload(self, values, *, reset: bool = True) -> None:
        """Each chunk's own (the people a sign-in sheet adds or changes are loaded again)."""
        super().preload(values, reset=reset)

    def clean(self, value, row=None, **kwargs):
        text = self.lookup_text(value)
        if not text:
            return None
        found = self.preloaded(text)
        if found is not None:
            return found
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: text})
        except self.model.DoesNotExist:
            raise ValueError(
                _("No %(model)s has %(field)s “%(value)s”.")
                % {
                    "model": self.model._meta.verbose_name,
                    "field": self.model._meta.get_field(self.field).verbose_name,
                    "value": text,
                }
            ) from None


class ProvinceWidget(widgets.ForeignKeyWidget):
    """A province by ISO code (TH-10), Thai name or English name."""

    def __init__(self, **kwargs):
        super().__init__(Province, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        found = list(
            Province.objects.filter(
                Q(code__iexact=text) | Q(name_th=text) | Q(name_en__iexact=text)
            )[:2]
        )
        if len(found) != 1:
            raise ValueError(_("No province is called “%(value)s”.") % {"value": text})
        return found[0]


class TrainingResource(PortalResource):
    """Model validation excludes the fields the services fill; then the services' rules run."""

    #: fields that ``full_clean`` skips because a service fills them when saving.
    service_fields: tuple[str, ...] = ()

    def column_of(self, attribute: str) -> str:
        for field in self.fields.values():
            if field.attribute == attribute and field.column_name:
                return field.column_name
        return attribute

    def as_column_errors(self, error: ValidationError) -> ValidationError:
        if not hasattr(error, "error_dict"):
            return error
        return ValidationError(
            {self.column_of(key): messages for key, messages in error.error_dict.items()}
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors.keys(), *self.service_fields],
                validate_unique=validate_unique,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors:
            try:
                self.validate_rules(instance)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise self.as_column_errors(ValidationError(errors))

    def validate_rules(self, instance) -> None:
        """Rules across rows, from ``training.services``."""


class CourseResource(TrainingResource):
    tool = fields.Field(
        attribute="tool",
        column_name="tool",
        widget=ChoiceWidget(PlatformTool),
    )

    template_example = {
        "code": "SC-101",
        "title_th": "การใช้งาน TikTok Shop Seller Center สำหรับเจ้าหน้าที่",
        "title_en": "TikTok Shop Seller Center for DIP officers",
        "tool": "seller_center",
        "description": "ตั้งค่าร้านค้า ลงสินค้า และอ่านสถิติร้าน",
        "duration_hours": 6,
        "pass_mark": 70,
        "is_active": 1,
    }

    class Meta(PortalResource.Meta):
        model = Course
        import_id_fields = ("code",)
        fields = (
            "code",
            "title_th",
            "title_en",
            "tool",
            "description",
            "duration_hours",
            "pass_mark",
            "is_active",
        )
        export_order = fields

    optional_columns = ("description", "duration_hours", "pass_mark", "is_active")


class TrainingSessionResource(TrainingResource):
    course = fields.Field(
        attribute="course", column_name="course", widget=LookupWidget(Course, "code")
    )
    province = fields.Field(attribute="province", column_name="province", widget=ProvinceWidget())
    capacity = fields.Field(attribute="capacity", column_name="capacity", widget=IntegerWidget())
    registered = fields.Field(column_name="registered", readonly=True)
    #: The export page's name of the column that is no model field (portal.import_admin).
    column_labels = {"registered": gettext_lazy("registered")}

    template_example = {
        "reference": "SC-101-2027-03-15",
        "course": "SC-101",
        "starts_at": datetime(2027, 3, 15, 9, 0),
        "ends_at": datetime(2027, 3, 15, 15, 0),
        "mode": "on_site",
        "venue": "ห้องประชุมกรมทรัพย์สินทางปัญญา",
        "province": "TH-10",
        "trainer": "ทีม IPPC TikTok Shop",
        "capacity": 25,
    }

    class Meta(PortalResource.Meta):
        model = TrainingSession
        import_id_fields = ("reference",)
        fields = (
            "reference",
            "course",
            "starts_at",
            "ends_at",
            "mode",
            "venue",
            "province",
            "online_url",
            "trainer",
            "capacity",
            "registered",
        )
        export_order = fields

    optional_columns = ("venue", "province", "online_url")

    def dehydrate_registered(self, session):
        return getattr(session, "registered", None)

    def validate_rules(self, instance):
        services.session_validate_capacity(session=instance)


class ParticipantResource(TrainingResource):
    email = fields.Field(
        attribute="email",
        column_name="email",
        widget=widgets.CharWidget(coerce_to_string=True),
    )
    division = fields.Field(
        attribute="division", column_name="division", widget=ChoiceWidget(Division)
    )

    template_example = {
        "email": "staff001@ipthailand.go.th",
        "name": "สมหญิง รักเรียน",
        "division": "trademark",
        "position": "นักวิชาการพาณิชย์ปฏิบัติการ",
        "phone": "02 547 4601",
    }

    class Meta(PortalResource.Meta):
        model = Participant
        import_id_fields = ("email",)
        fields = ("email", "name", "division", "position", "phone")
        export_order = fields

    optional_columns = ("position", "phone")

    def before_import_row(self, row, row_number=None, **kwargs):
        if row.get("email"):
            row["email"] = str(row["email"]).strip().lower()
        super().before_import_row(row, row_number=row_number, **kwargs)


class AttendanceResource(TrainingResource):
    """One row per person and session: a session's sign-in sheet, or a whole register.

    Re-importing a file updates the rows with the same session and e-mail, never duplicates them.
    A person not yet known is added as a participant when the row gives their name and division.
    """

    session = fields.Field(
        attribute="session",
        column_name="session",
        widget=LookupWidget(TrainingSession, "reference"),
    )
    participant = fields.Field(
        attribute="participant",
        column_name="participant_email",
        widget=LookupWidget(Participant, "email", lower=True),
    )
    participant_name = fields.Field(
        attribute="participant__name", column_name="participant_name", readonly=True
    )
    division = fields.Field(
        attribute="participant__division", column_name="division", readonly=True
    )
    course = fields.Field(attribute="session__course__code", column_name="course", readonly=True)
    attended = fields.Field(attribute="attended", column_name="attended", widget=YesNoWidget())
    score = fields.Field(attribute="score", column_name="score", widget=IntegerWidget())
    completed = fields.Field(attribute="completed", column_name="completed", widget=YesNoWidget())
    completed_on = fields.Field(attribute="completed_on", column_name="completed_on", readonly=True)
    certificate_number = fields.Field(
        attribute="certificate_number", column_name="certificate_number", readonly=True
    )

    service_fields = ("certificate_number", "completed_on")
    optional_columns = ("attended", "score", "completed")

    template_example = {
        "session": "SC-101-2027-03-15",
        "participant_email": "staff001@ipthailand.go.th",
        "attended": 1,
        "score": 85,
        "completed": 1,
    }

    class Meta(PortalResource.Meta):
        model = Attendance
        import_id_fields = ("session", "participant")
        fields = (
            "session",
            "course",
            "participant",
            "participant_name",
            "division",
            "attended",
            "score",
            "completed",
            "completed_on",
            "certificate_number",
        )
        export_order = fields

    def before_import_rows(self, rows: list[dict]) -> None:
        """The people a chunk of the file names, looked up at once (the import engine asks):
        ``participant_upsert`` then finds each of them without a query."""
        emails = {str(row.get("participant_email") or "").strip().lower() for row in rows}
        emails.discard("")
        self._participants = dict.fromkeys(emails) | {
            person.email: person for person in Participant.objects.filter(email__in=emails)
        }

    def before_import_row(self, row, row_number=None, **kwargs):
        if row.get("participant_email"):
            row["participant_email"] = str(row["participant_email"]).strip().lower()
        super().before_import_row(row, row_number=row_number, **kwargs)
        errors = {}
        reference = str(row.get("session") or "").strip()
        known = self.__dict__.setdefault("_known_sessions", {})  # asked once per file
        if reference and reference not in known:
            known[reference] = TrainingSession.objects.filter(reference=reference).exists()
        if not reference:
            errors["session"] = _("Give the session's reference.")
        elif not known[reference]:
            errors["session"] = _("No training session has the reference “%(value)s”.") % {
                "value": reference
            }
        email = str(row.get("participant_email") or "").strip().lower()
        if not email:
            errors["participant_email"] = _("Give the participant's e-mail.")
        division = ""
        try:
            division = ChoiceWidget(Division).clean(row.get("division"))
        except ValueError as error:
            errors["division"] = str(error)
        if not errors:
            try:
                known = self.__dict__.setdefault("_participants", {})
                known[email] = services.participant_upsert(
                    email=email,
                    name=str(row.get("participant_name") or "").strip(),
                    division=division,
                    known=known,
                )
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    def validate_rules(self, instance):
        services.attendance_validate(attendance=instance)

    def do_instance_save(self, instance, is_create):
        services.attendance_save(attendance=instance)


def _seller_model():
    """The model behind ``Consultation.seller``, reached through the relation: ``training`` names
    no module of ``gi_catalog`` (the import graph runs core ← apps, the apps side by side)."""
    return Consultation._meta.get_field("seller").related_model


class ConsultationResource(TrainingResource):
    """Consultations; the natural key is (date, adviser, entrepreneur, topic)."""

    consulted_on = fields.Field(attribute="consulted_on", column_name="date", widget=DateWidget())
    adviser = fields.Field(
        attribute="adviser",
        column_name="adviser_email",
        widget=LookupWidget(Participant, "email", lower=True),
    )
    adviser_name = fields.Field(
        attribute="adviser__name", column_name="adviser_name", readonly=True
    )
    seller = fields.Field(
        attribute="seller",
        column_name="seller_tax_id",
        widget=LookupWidget(_seller_model(), "tax_id"),
    )
    province = fields.Field(attribute="province", column_name="province", widget=ProvinceWidget())
    topic = fields.Field(
        attribute="topic", column_name="topic", widget=ChoiceWidget(ConsultationTopic)
    )
    channel = fields.Field(
        attribute="channel",
        column_name="channel",
        widget=ChoiceWidget(ConsultationChannel),
    )
    follow_up = fields.Field(
        attribute="follow_up", column_name="follow_up", widget=ChoiceWidget(FollowUp)
    )
    follow_up_on = fields.Field(
        attribute="follow_up_on",
        column_name="follow_up_date",
        widget=DateWidget(),
    )

    optional_columns = (
        "seller_tax_id",
        "contact",
        "province",
        "follow_up",
        "follow_up_date",
        "follow_up_note",
    )

    template_example = {
        "date": date(2026, 2, 20),
        "adviser_email": "staff001@ipthailand.go.th",
        "entrepreneur_name": "ห้างหุ้นส่วนจำกัด ข้าวดีทุ่งกุลา",
        "contact": "081 234 5678",
        "province": "TH-45",
        "topic": "gi",
        "channel": "phone",
        "summary": "ขอคำแนะนำการขอใช้ตราสัญลักษณ์ GI บนบรรจุภัณฑ์",
    }

    class Meta(PortalResource.Meta):
        model = Consultation
        import_id_fields = ("consulted_on", "adviser", "entrepreneur_name", "topic")
        fields = (
            "consulted_on",
            "adviser",
            "adviser_name",
            "seller",
            "entrepreneur_name",
            "contact",
            "province",
            "topic",
            "channel",
            "summary",
            "follow_up",
            "follow_up_on",
            "follow_up_note",
        )
        export_order = fields

    def before_import_row(self, row, row_number=None, **kwargs):
        errors = {}
        if row.get("adviser_email"):
            row["adviser_email"] = str(row["adviser_email"]).strip().lower()
        tax_id = str(row.get("seller_tax_id") or "").strip()
        if tax_id and not str(row.get("entrepreneur_name") or "").strip():
            seller = _seller_model().objects.filter(tax_id=tax_id).first()
            if seller is None:
                errors["seller_tax_id"] = _("No seller has the tax / ID number “%(value)s”.") % {
                    "value": tax_id
                }
            else:
                row["entrepreneur_name"] = seller.name
        for column in ("date", "adviser_email", "topic"):
            try:
                self.fields[self._field_of(column)].clean(row)
            except (ValueError, KeyError) as error:
                errors[column] = str(error)
        if errors:
            raise ValidationError(errors)
        super().before_import_row(row, row_number=row_number, **kwargs)

    def _field_of(self, column: str) -> str:
        return next(name for name, field in self.fields.items() if field.column_name == column)
