"""Admin forms: they validate through the services (one place per rule) and refuse lost updates."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import InlineForeignKeyField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.fields import LocalSplitDateTimeField
from portal.internals import ValidateAfterModelMixin
from portal.security.kept_uploads import KeptUploadsMixin
from takedowns import case_items, evidence, selectors, transitions
from takedowns.choices import CaseState, ItemOutcome
from takedowns.models import Evidence, InfringingItem, ReasonCode, TakedownCase

STALE_MESSAGE = _(
    "Someone else saved this case after you opened it. Nothing of yours was saved: "
    "reload the page to see their changes, then make yours again."
)


def _as_form_error(error: Exception) -> ValidationError | str:
    if isinstance(error, PermissionDenied):
        return str(error) or _("Your role may not do this.")
    return error


class ReasonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.code})"


def note_audience(case, steps) -> str:
    """Who reads the note of a step of ``case`` to one of ``steps``."""
    seen_by = {s: selectors.platform_sees_step(case=case, to_state=s) for s in steps}
    seen = [str(CaseState(s).label) for s in steps if seen_by[s]]
    internal = [str(CaseState(s).label) for s in steps if not seen_by[s]]
    if seen and internal:
        return _(
            "The platform sees this note when the case moves to %(seen)s; "
            "a move to %(internal)s stays within DIP."
        ) % {"seen": ", ".join(seen), "internal": ", ".join(internal)}
    if seen:
        return _("The platform sees this note in the case's log.")
    return _("Only DIP sees this note: the platform sees the log from forwarding on.")


class TakedownCaseForm(ValidateAfterModelMixin, KeptUploadsMixin, forms.ModelForm):
    """The case form; ``actor`` is set by the admin. Adds the version seen and the next step
    (on the new-case page too: a case is created and sent to review in one save)."""

    actor = None
    TRANSITION_FIELDS = ("transition", "transition_reason", "transition_note", "transition_at")

    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)
    transition = forms.ChoiceField(
        label=_("Move the case to"),
        required=False,
        help_text=_("Only the steps your role may take from the current state are offered."),
    )
    transition_reason = ReasonChoiceField(
        queryset=ReasonCode.objects.filter(active=True),
        required=False,
        label=_("Reason code"),
        help_text=_("Required for a refusal or an information request."),
    )
    transition_note = forms.CharField(
        label=_("Note for this step"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    transition_at = LocalSplitDateTimeField(
        label=_("Time of this step"),
        required=False,
        help_text=_("Leave empty for now; the liaison enters the platform's decision time here."),
    )

    class Meta:
        model = TakedownCase
        # The admin narrows this per role and state (see TakedownCaseAdmin.get_readonly_fields).
        fields = (
            "title",
            "description",
            "summary_en",
            "rights_holder",
            "right",
            "infringement_type",
            "priority",
            "respondent_is_creator",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "reporter_position",
            "reporter_basis",
            "authorization_document",
            "authorization_valid_from",
            "authorization_valid_until",
            "internal_note",
            "assigned_officer",
            "assigned_liaison",
            "ippc_ticket_id",
            "platform_note",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version_seen" in self.fields and self.instance.pk:
            self.fields["version_seen"].initial = self.instance.version
        if "transition" in self.fields:
            allowed = transitions.case_allowed_transitions(case=self.instance, actor=self.actor)
            if not self.instance.pk:
                allowed = [state for state in allowed if state != CaseState.WITHDRAWN]
            self.fields["transition"].choices = [("", _("— no change —"))] + [
                (state, CaseState(state).label) for state in allowed
            ]
            if "transition_note" in self.fields:
                self.fields["transition_note"].help_text = note_audience(self.instance, allowed)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                TakedownCase.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is None or cleaned.get("version_seen") != current:
                raise ValidationError(STALE_MESSAGE, code="stale")
        return cleaned

    def validate_after_model(self):
        to_state = self.cleaned_data.get("transition")
        if not to_state:
            return
        try:
            transitions.case_check_transition(
                case=self.instance,
                to_state=to_state,
                actor=self.actor,
                note=self.cleaned_data.get("transition_note") or "",
                reason_code=self.cleaned_data.get("transition_reason"),
                **transitions.stated_time(
                    actor=self.actor, moment=self.cleaned_data.get("transition_at")
                ),
                facts=None if self.instance.pk else transitions.new_case_facts(self.instance),
            )
        except (ValidationError, PermissionDenied) as error:
            self.add_error("transition", _as_form_error(error))


class InfringingItemInlineForm(forms.ModelForm):
    """DIP edits the item; the liaison records only its outcome (checked by the service)."""

    actor = None

    class Meta:
        model = InfringingItem
        fields = (
            "case",
            "kind",
            "url",
            "seller_handle",
            "shop_id",
            "title",
            "price_thb",
            "outcome",
            "outcome_reason",
        )

    def clean(self):
        cleaned = super().clean()
        if "outcome" in self.changed_data and self.instance.pk:
            outcome = cleaned.get("outcome")
            if outcome == ItemOutcome.PENDING:
                self.add_error("outcome", _("A decided item cannot go back to pending."))
                return cleaned
            try:
                case_items.item_check_outcome(
                    case=self.instance.case,
                    outcome=outcome,
                    actor=self.actor,
                    reason_code=cleaned.get("outcome_reason"),
                    review_implied=True,
                )
            except (ValidationError, PermissionDenied) as error:
                self.add_error("outcome", _as_form_error(error))
        return cleaned


class EvidenceForm(KeptUploadsMixin, forms.ModelForm):
    """Checks the upload (type, content, size) and stores its SHA-256; a bad file is not kept.
    A good one is kept when the page comes back with an error elsewhere (``KeptUploadsMixin``).
    New evidence goes only to a case whose state allows it (``actor`` is set by the admin).
    """

    actor = None

    class Meta:
        model = Evidence
        fields = ("case", "item", "kind", "file", "captured_at", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        captured_at = self.fields.get("captured_at")
        if captured_at is not None:  # not on a read-only page (evidence is never changed)
            captured_at.required = False
            captured_at.help_text = _(
                "When the file was captured. Leave empty for the time of upload."
            )

    def clean_captured_at(self):
        return self.cleaned_data.get("captured_at") or timezone.now()

    def clean(self):
        cleaned = super().clean()
        case = cleaned.get("case")
        if case is not None and self.instance.pk is None:
            try:
                case_items.child_check(case=case, model=Evidence, action="add", actor=self.actor)
            except (ValidationError, PermissionDenied) as error:
                # on the case page (an inline) the case is no field of the row: the row's error
                inline = isinstance(self.fields.get("case"), InlineForeignKeyField)
                self.add_error(None if inline else "case", _as_form_error(error))
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if (
            upload
            and upload is not getattr(self.instance, "file", None)
            and "file" in self.changed_data
        ):
            checked = evidence.evidence_check_file(file=upload)
            self.instance.original_name = checked.original_name
            self.instance.content_type = checked.content_type
            self.instance.size = checked.size
            self.instance.sha256 = checked.sha256
        return upload

    def validate_unique(self):
        # ``sha256`` is not a form field, so check "same file twice in one case" ourselves.
        super().validate_unique()
        instance = self.instance
        if instance.sha256 and instance.case_id:
            clash = Evidence.objects.filter(case_id=instance.case_id, sha256=instance.sha256)
            if instance.pk:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                self.add_error("file", _("This file is already attached to the case."))
