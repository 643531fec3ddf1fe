"""Every error code the platform API sends, by HTTP status: the one list the schema's ``Error``
components (an enum of codes per status) and README's error table are made from.

The codes of 422 are the state machine's (``takedowns.transitions``, ``takedowns.case_items``):
the admin's refusals, word for word.
"""

from rest_framework import serializers

ERROR_CODES: dict[int, dict[str, str]] = {
    400: {
        "invalid": "a field, query parameter or header is not valid; `errors` says which and why",
        "parse_error": "the body is not JSON",
        "invalid_cursor": "the `cursor` is not one this API gave",
    },
    401: {
        "not_authenticated": "no `Authorization: Bearer <token>` header",
        "authentication_failed": "the `Authorization` header is malformed",
        "token_invalid": "no such token",
        "token_expired": "the token's lifetime is over",
        "token_revoked": "a supervisor revoked the token",
        "user_inactive": "the token's account is deactivated",
    },
    403: {
        "not_liaison": "the token's account is not (only) a TikTok Liaison",
        "permission_denied": "the platform may not make this move (e.g. closing a case)",
    },
    404: {
        "not_found": "no such path, case or item, or one the platform may not see",
    },
    405: {
        "method_not_allowed": "this path does not take this method",
    },
    406: {
        "not_acceptable": "the API answers only `application/json`",
    },
    409: {
        "stale": "the case changed meanwhile (another decision); reload it and decide again",
    },
    415: {
        "unsupported_media_type": "send the body as `application/json`",
    },
    422: {
        "illegal_transition": "the case cannot move from its state to this one",
        "illegal_item_outcome": "the item's outcome cannot be recorded in the case's state",
        "decision_mismatch": "the decision does not match the items' outcomes",
        "reason_required": "this step needs a `reason_code` (see `/api/v1/reason-codes/`)",
        "reason_not_applicable": "the reason code does not fit this step",
        "unknown_reason": "no active reason code by this name",
        "note_required": "this step (or its reason code) needs a `note`",
        "future_time": "`decided_at` is in the future",
        "time_before_previous_step": "`decided_at` is before the case's previous step",
        "appeal_limit_reached": "no further appeal is possible on this case",
        "appeal_deadline_passed": "the appeal deadline has passed",
        "idempotency_key_reused": "this `Idempotency-Key` was used for another request",
        "refused": "any other refusal of the state machine",
    },
    429: {
        "throttled": "too many requests for this token; wait `Retry-After` seconds",
    },
    503: {
        "service_unavailable": "a backing service is unreachable; retry after `Retry-After` seconds",
    },
}


def error_serializer(status: int) -> type[serializers.Serializer]:
    """The ``Error<status>`` component: ``code`` an enum of exactly the codes of that status."""
    return _SERIALIZERS[status]


def _make_serializer(status: int) -> type[serializers.Serializer]:
    codes = ERROR_CODES[status]
    fields = {
        "code": serializers.ChoiceField(
            choices=list(codes),
            help_text="; ".join(f"`{code}`: {meaning}" for code, meaning in codes.items()),
        ),
        "detail": serializers.CharField(help_text="A message for people, in English."),
        "errors": serializers.DictField(
            required=False,
            help_text="Messages per field, query parameter or header.",
        ),
    }
    return type(f"Error{status}Serializer", (serializers.Serializer,), fields)


_SERIALIZERS = {status: _make_serializer(status) for status in ERROR_CODES}


def readme_error_table() -> str:
    """README's table of error codes (a test keeps README equal to it)."""
    lines = ["| status | code | meaning |", "|---|---|---|"]
    for status, codes in ERROR_CODES.items():
        lines += [f"| {status} | `{code}` | {meaning} |" for code, meaning in codes.items()]
    return "\n".join(lines)
