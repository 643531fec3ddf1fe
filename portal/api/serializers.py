from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from takedowns.choices import PLATFORM_FINDABLE_STATES, CaseState, ItemOutcome
from takedowns.decisions import (
    DECISION_REQUIRED,
    decision_value_check,
    platform_decisions,
    ticket_id_check,
)
from takedowns.models import InfringingItem, ReasonCode, StatusEvent, TakedownCase

#: The states the platform may move a case to: all a decision may say.
PLATFORM_DECISIONS = [
    (state, CaseState(state).label) for state in platform_decisions(on_item=False)
]
#: The outcomes the platform may record for an item (not ``pending``).
ITEM_DECISIONS = [
    (outcome, ItemOutcome(outcome).label) for outcome in platform_decisions(on_item=True)
]
#: The states of the cases the platform sees (what the case list filters on).
PLATFORM_STATES = [
    (value, label) for value, label in CaseState.choices if value in PLATFORM_FINDABLE_STATES
]
REASON_CODES_HINT = _("Reason codes: `GET /api/v1/reason-codes/`.")


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with its UTC offset (``2026-11-25T14:30:00+07:00``), from 2000 on: a time
    without an offset could be Bangkok's or UTC, and a year 1 cannot be compared with anything."""

    EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-11-25T14:30:00+07:00."),
        "out_of_range": _("Give a time from the year 2000 on."),
        "overflow": _("Give a time from the year 2000 on."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        moment = super().to_internal_value(value)
        try:
            in_range = moment >= self.EARLIEST
        except OverflowError:
            in_range = False
        if not in_range:
            self.fail("out_of_range")
        return moment


class TokenInfoSerializer(serializers.Serializer):
    username = serializers.CharField()
    token_key = serializers.CharField(help_text=_("The first characters of the token."))
    expiry = serializers.DateTimeField(allow_null=True)


# --- reads ------------------------------------------------------------------------------------


class RightSerializer(serializers.Serializer):
    right_type = serializers.CharField()
    name = serializers.CharField()
    registration_number = serializers.CharField()
    jurisdiction = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)


class CaseSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=CaseState.choices)
    rights_holder = serializers.CharField(source="rights_holder.name")
    right = RightSerializer()

    class Meta:
        model = TakedownCase
        fields = (
            "reference",
            "state",
            "title",
            "summary_en",
            "priority",
            "infringement_type",
            "rights_holder",
            "right",
            "reporter_name",
            "reporter_email",
            "ippc_ticket_id",
            "platform_note",
            "forwarded_at",
            "decided_at",
            "platform_decided_at",
            "removed_at",
            "sla_due_at",
            "appeal_count",
            "first_appeal_deadline",
            "second_appeal_deadline",
            "updated_at",
        )
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=ItemOutcome.choices)
    outcome_reason = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = InfringingItem
        fields = (
            "id",
            "kind",
            "url",
            "seller_handle",
            "shop_id",
            "title",
            "outcome",
            "outcome_reason",
            "outcome_at",
        )
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    items = ItemSerializer(many=True)
    description = serializers.CharField()

    class Meta(CaseSerializer.Meta):
        fields = (*CaseSerializer.Meta.fields, "description", "items")
        read_only_fields = fields


class CasePageSerializer(serializers.Serializer):
    next_cursor = serializers.CharField(
        allow_null=True,
        help_text=_(
            "Send this as `cursor` (with the same filters) for the next page; null at the end."
        ),
    )
    next = serializers.URLField(
        allow_null=True,
        help_text=_("The next page as a URL (the same cursor), or null at the end."),
    )
    results = CaseSerializer(many=True)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice stored blank when it does not apply, sent as null."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class EventSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    item = serializers.IntegerField(source="item_id", allow_null=True)
    from_state = BlankAsNullChoiceField(
        choices=CaseState.choices, help_text=_("Null on the case's first event.")
    )
    to_state = serializers.ChoiceField(choices=CaseState.choices)
    item_outcome = BlankAsNullChoiceField(
        choices=ItemOutcome.choices, help_text=_("The item's outcome on an item event; else null.")
    )
    reason_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = StatusEvent
        fields = ("id", "case", "item", "from_state", "to_state", "item_outcome", "at")
        fields = (*fields, "reported_at")
        fields = (*fields, "reason_code", "note")
        read_only_fields = fields


class EventFeedSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    after = serializers.IntegerField(help_text=_("Send this as `after` to get the next events."))
    has_more = serializers.BooleanField()


class AsciiIntegerField(serializers.IntegerField):
    """A whole number in ASCII digits: "١٢" (Arabic-Indic) or "１２" is not 12."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip().lstrip("+-").isascii():
            self.fail("invalid")
        return super().to_internal_value(data)


class CaseListQuerySerializer(serializers.Serializer):
    state = serializers.ListField(
        child=serializers.ChoiceField(choices=PLATFORM_STATES),
        required=False,
        max_length=len(PLATFORM_STATES),
        help_text=_(
            "Cases in any of these states; repeat it, e.g. `state=forwarded&state=appealed`."
        ),
    )
    updated_since = AwareDateTimeField(required=False)
    cursor = serializers.CharField(required=False, max_length=200)
    limit = AsciiIntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class EventQuerySerializer(serializers.Serializer):
    after = AsciiIntegerField(min_value=0, max_value=2**63 - 1, default=0)
    limit = AsciiIntegerField(min_value=1, max_value=500, default=100)


# --- writes -----------------------------------------------------------------------------------


class DecisionField(serializers.ChoiceField):
    """A case's decision or an item's outcome, checked by ``decision_value_check``: the decision
    sheet's check and message, not a second copy of them (the schema still lists the choices)."""

    default_error_messages = {"required": DECISION_REQUIRED, "null": DECISION_REQUIRED}

    def __init__(self, *, on_item: bool, **kwargs):
        self.on_item = on_item
        choices = ITEM_DECISIONS if on_item else PLATFORM_DECISIONS
        super().__init__(choices=choices, **kwargs)

    def to_internal_value(self, data):
        try:
            return decision_value_check(str(data), on_item=self.on_item)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


class TicketIdField(serializers.CharField):
    """The IPPC ticket id, checked by ``ticket_id_check`` as the decision sheet checks it (the
    schema still states its length)."""

    def __init__(self, **kwargs):
        limit = TakedownCase._meta.get_field("ippc_ticket_id").max_length
        super().__init__(max_length=limit, required=False, allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return ticket_id_check(value) or ""
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


class CaseDecisionSerializer(serializers.Serializer):
    decision = DecisionField(
        on_item=False,
        help_text=_(
            "The state the case moves to, e.g. `removed`, or the state it has (to set only the "
            "ticket id); the state machine decides."
        ),
    )
    ippc_ticket_id = TicketIdField()
    reason_code = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text=format_lazy(
            "{} {}",
            _("Required for `info_requested`, `not_removed` and `reinstated`."),
            REASON_CODES_HINT,
        ),
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    decided_at = AwareDateTimeField(
        required=False,
        help_text=_(
            "When the platform decided, as it states it: kept beside the case "
            "(`platform_decided_at`) and the event (`reported_at`). The step and every SLA "
            "figure count from when the portal received the decision."
        ),
    )


class ItemDecisionSerializer(serializers.Serializer):
    outcome = DecisionField(on_item=True)
    reason_code = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text=format_lazy(
            "{} {}", _("Required for `not_removed` and `reinstated`."), REASON_CODES_HINT
        ),
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    decided_at = AwareDateTimeField(
        required=False,
        help_text=_(
            "When the platform decided, as it states it: kept on the event (`reported_at`)."
        ),
    )


class CaseDecisionResultSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text=_("False when the case already had it."))
    case = CaseDetailSerializer()


class ReasonCodeSerializer(serializers.ModelSerializer):
    use = serializers.ChoiceField(
        choices=ReasonCode._meta.get_field("use").choices,
        help_text=_("`refusal`: not removed, reinstated; `info_request`; `any`: both."),
    )

    class Meta:
        model = ReasonCode
        fields = ("code", "name_en", "use", "note_required")
        read_only_fields = fields


class ItemDecisionResultSerializer(serializers.Serializer):
    changed = serializers.BooleanField()
    item = ItemSerializer()
    case_state = serializers.ChoiceField(choices=CaseState.choices)
