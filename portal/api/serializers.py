from datetime import UTC

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from takedowns.choices import CaseState, ItemOutcome
from takedowns.models import InfringingItem, StatusEvent, TakedownCase


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable reason, e.g. `illegal_transition`."))
    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text=_("Messages per field."))


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
    next = serializers.URLField(allow_null=True, help_text=_("The next page, or null at the end."))
    results = CaseSerializer(many=True)


class EventSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    item = serializers.IntegerField(source="item_id", allow_null=True)
    from_state = serializers.CharField()
    to_state = serializers.ChoiceField(choices=CaseState.choices)
    item_outcome = serializers.CharField()
    reason_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = StatusEvent
        fields = ("id", "case", "item", "from_state", "to_state", "item_outcome", "at")
        fields = (*fields, "reason_code", "note")
        read_only_fields = fields


class EventFeedSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    after = serializers.IntegerField(help_text=_("Send this as `after` to get the next events."))
    has_more = serializers.BooleanField()


class StorableDateTimeField(serializers.DateTimeField):
    """A date and time the portal can compare and store: one whose year leaves Python's range once
    moved to UTC (``0001-01-01T00:00:00`` in Bangkok time) is a 400 naming it, not an error."""

    default_error_messages = {
        "out_of_range": _("“{value}” is outside the dates the portal can read."),
    }

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
            moment.astimezone(UTC)
        except OverflowError:
            self.fail("out_of_range", value=value)
        return moment


class CaseListQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CaseState.choices, required=False)
    updated_since = StorableDateTimeField(required=False)
    cursor = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class EventQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=2**63 - 1, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100)


# --- writes -----------------------------------------------------------------------------------


class CaseDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=CaseState.choices,
        help_text=_("The state the case moves to, e.g. `removed`; the state machine decides."),
    )
    ippc_ticket_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reason_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    decided_at = serializers.DateTimeField(
        required=False, help_text=_("When the platform decided; now if left out.")
    )


class ItemDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ItemOutcome.choices)
    reason_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    decided_at = serializers.DateTimeField(required=False)


class CaseDecisionResultSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text=_("False when the case already had it."))
    case = CaseDetailSerializer()


class ItemDecisionResultSerializer(serializers.Serializer):
    changed = serializers.BooleanField()
    item = ItemSerializer()
    case_state = serializers.ChoiceField(choices=CaseState.choices)
