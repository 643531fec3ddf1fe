from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.dates import local_date
from portal.fields import WebURLField
from portal.people import dip_staff
from portal.security.uploads import JPEG, JPG, PNG, PortalFileField
from portal.validation import QuietValidationMixin
from training.choices import (
    ConsultationChannel,
    ConsultationTopic,
    Division,
    FollowUp,
    PlatformTool,
    SessionMode,
)


class Course(models.Model):
    """A course on one TikTok platform tool, run as one or more sessions."""

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_("Short unique code, e.g. LIVE-101.")
    )
    title_th = models.CharField(_("Thai title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    tool = models.CharField(_("platform tool"), max_length=30, choices=PlatformTool.choices)
    description = models.TextField(_("description"), blank=True)
    duration_hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0)],
        null=True,
        blank=True,
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Lowest score (0–100) that completes the course; empty if there is no test."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__isnull=True) | models.Q(pass_mark__lte=100),
                name="course_pass_mark_at_most_100",
                violation_error_message=_("The pass mark must be between 0 and 100."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title_th}"


class TrainingSession(models.Model):
    """One run of a course: when, where (or online), who trains, how many seats."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    reference = models.CharField(
        pgettext_lazy("training session", "reference"),
        max_length=50,
        unique=True,
        blank=True,
        help_text=_("Left empty, it is made from the course code and the date."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(
        _("mode"), max_length=20, choices=SessionMode.choices, default=SessionMode.ON_SITE
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    province = models.ForeignKey(
        "portal.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    online_url = WebURLField(_("online meeting link"), blank=True)
    trainer = models.CharField(_("trainer"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["starts_at"], name="training_session_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1),
                name="session_capacity_positive",
                violation_error_message=_("The capacity must be at least 1."),
            ),
        ]

    def __str__(self):
        return self.reference or str(self.course)

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = self.next_reference()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.mode in (SessionMode.ONLINE, SessionMode.HYBRID) and not self.online_url:
            errors["online_url"] = _("An online session needs its meeting link.")
        if self.mode in (SessionMode.ON_SITE, SessionMode.HYBRID) and not self.venue:
            errors["venue"] = _("A session on site needs its venue.")
        if errors:
            raise ValidationError(errors)

    def next_reference(self) -> str:
        day = timezone.localtime(self.starts_at).strftime("%Y%m%d")
        base = f"{self.course.code}-{day}"
        taken = set(
            TrainingSession.objects.filter(reference__startswith=base).values_list(
                "reference", flat=True
            )
        )
        reference, n = base, 1
        while reference in taken:
            n += 1
            reference = f"{base}-{n}"
        return reference


class Participant(models.Model):
    """A DIP staff member who attends training; no login needed."""

    name = models.CharField(_("name"), max_length=200)
    division = models.CharField(_("division"), max_length=30, choices=Division.choices)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_participant",
        limit_choices_to=dip_staff,
        verbose_name=_("portal user"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        self.email = (self.email or "").strip().lower()


class Attendance(QuietValidationMixin, models.Model):
    """A participant's registration for a session, their attendance, score and completion.

    The rules across rows (capacity, pass mark, certificate numbers) live in ``training.services``.
    """

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("session"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("participant"),
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    attended = models.BooleanField(_("attended"), default=False)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    completed = models.BooleanField(_("completed"), default=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    certificate_number = models.CharField(
        _("certificate number"), max_length=40, unique=True, null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "participant__name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                name="attendance_once_per_session",
                violation_error_message=_(
                    "This participant is already registered for the session."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="attendance_score_at_most_100",
                violation_error_message=_("The score must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=~models.Q(completed=True, attended=False),
                name="attendance_completed_only_if_attended",
                violation_error_message=_("Only someone who attended can complete the course."),
            ),
            models.CheckConstraint(
                condition=models.Q(completed=False, certificate_number__isnull=True)
                | models.Q(completed=True, certificate_number__isnull=False),
                name="attendance_certificate_iff_completed",
                violation_error_message=_("A certificate number exists exactly when completed."),
            ),
        ]

    def __str__(self):
        return f"{self.participant} – {self.session}"

    def clean(self):
        """The rule of ``attendance_completed_only_if_attended``, said at the box to tick."""
        if self.completed and not self.attended:
            raise ValidationError(
                {"attended": _("Only someone who attended can complete the course.")}
            )


class Consultation(models.Model):
    """Advice a trained staff member gave an entrepreneur, and what came of it."""

    seller = models.ForeignKey(
        "gi_catalog.Seller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("seller"),
        help_text=_("The entrepreneur, where they are a seller in the GI catalog."),
    )
    entrepreneur_name = models.CharField(
        _("entrepreneur"),
        max_length=255,
        blank=True,
        help_text=_("Left empty for a seller, it takes the seller's name."),
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    province = models.ForeignKey(
        "portal.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    topic = models.CharField(_("topic"), max_length=30, choices=ConsultationTopic.choices)
    channel = models.CharField(_("channel"), max_length=30, choices=ConsultationChannel.choices)
    consulted_on = models.DateField(_("date"))
    adviser = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("adviser"),
    )
    summary = models.TextField(_("summary"))
    follow_up = models.CharField(
        _("follow-up"), max_length=40, choices=FollowUp.choices, blank=True
    )
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-consulted_on", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["consulted_on"], name="consultation_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["consulted_on", "adviser", "entrepreneur_name", "topic"],
                name="consultation_natural_key",
                violation_error_message=_(
                    "This adviser already logged a consultation with this entrepreneur "
                    "on this topic that day."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(follow_up_on__isnull=True)
                | models.Q(follow_up_on__gte=models.F("consulted_on")),
                name="consultation_follow_up_after_date",
                violation_error_message=_("The follow-up cannot be before the consultation."),
            ),
        ]

    def __str__(self):
        return f"{local_date(self.consulted_on)} {self.entrepreneur_name}"

    def clean(self):
        errors = {}
        if self.seller_id and not self.entrepreneur_name:
            self.entrepreneur_name = self.seller.name
        if not self.entrepreneur_name:
            errors["entrepreneur_name"] = _("Choose a seller or give the entrepreneur's name.")
        if self.consulted_on and self.consulted_on > timezone.localdate():
            errors["consulted_on"] = _("A consultation cannot be dated in the future.")
        if self.follow_up and not self.follow_up_on:
            errors["follow_up_on"] = _("Give the date of the follow-up.")
        if self.follow_up_on and not self.follow_up:
            errors["follow_up"] = _("Say what the follow-up was.")
        if (
            self.follow_up_on
            and self.consulted_on
            and self.follow_up_on < self.consulted_on
            and "follow_up_on" not in errors
        ):
            errors["follow_up_on"] = _("The follow-up cannot be before the consultation.")
        if errors:
            raise ValidationError(errors)


#: A seal is an image the certificate embeds: PNG or JPEG.
SEAL_TYPES = (PNG, JPEG, JPG)


class CertificateSignatory(models.Model):
    """Who signs the certificates of completion from a date on: the name and title printed under
    the signature line, and the seal printed beside it, if one is kept (supervisors keep them)."""

    signs_from = models.DateField(
        _("signs certificates from"),
        unique=True,
        help_text=_("Certificates dated on or after this day carry this signatory."),
    )
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    title_th = models.CharField(_("position in Thai"), max_length=200)
    title_en = models.CharField(_("position in English"), max_length=200)
    seal = PortalFileField(
        _("seal"),
        upload_to="training/seals/",
        blank=True,
        file_types=SEAL_TYPES,
        help_text=_("A PNG or JPEG image of the seal, printed beside the signature (optional)."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signs_from"]
        verbose_name = _("certificate signatory")
        verbose_name_plural = _("certificate signatories")

    def __str__(self):
        return f"{self.name_th} ({local_date(self.signs_from)})"

    @classmethod
    def on(cls, day):
        """The signatory of a certificate dated ``day``: the latest to sign from then or before."""
        return cls.objects.filter(signs_from__lte=day).order_by("-signs_from").first()
