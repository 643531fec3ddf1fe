"""The platform API, version 1: thin views over ``takedowns`` selectors and services.

Reads show only what ``takedowns.selectors.cases_visible_to`` lets the token's user see; writes go
through ``case_transition`` / ``item_record_outcome`` with the token's user as the actor, so the
admin and the API refuse the same moves with the same codes.
"""

import re

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import serializers as s
from portal.api.errors import ERROR_CODES, error_serializer
from portal.api.exceptions import Refused, exception_handler
from portal.api.pagination import after_cursor, encode_cursor
from portal.api.services import (
    case_decision_record,
    idempotency_fingerprint,
    idempotency_key_claim,
    idempotency_key_store,
    item_decision_record,
)
from takedowns.decisions import case_not_found_message
from takedowns.models import InfringingItem, ReasonCode, StatusEvent
from takedowns.selectors import cases_visible_to, events_visible_to

#: A case reference (ASCII digits only), as the schema states it.
REFERENCE_PATTERN = r"^[A-Z]{2,5}-[0-9]{4}-[0-9]{1,10}$"
REFERENCE = re.compile(REFERENCE_PATTERN)
#: 1 to 255 printable ASCII characters, no space: a UUID is one.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"
IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
WRITE_STATUSES = (200, 400, 404, 409, 422)
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    type={"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
    location=OpenApiParameter.HEADER,
    required=True,
    description=_(
        "A unique key per decision (e.g. a UUID). A retry with the same key and body gets the "
        "first answer back and changes nothing; the same key with another body is refused "
        "(422 `idempotency_key_reused`). Kept 24 hours."
    ),
)
REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed",
    type={"type": "string", "enum": ["true"]},
    location=OpenApiParameter.HEADER,
    response=list(WRITE_STATUSES),
    description=_("`true` when this answer is the stored answer to an earlier request."),
)
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    type={"type": "integer", "minimum": 0},
    location=OpenApiParameter.HEADER,
    response=[429, 503],
    description=_("Seconds to wait before trying again."),
)
REFERENCE_PARAMETER = OpenApiParameter(
    "reference",
    type={"type": "string", "pattern": REFERENCE_PATTERN},
    location=OpenApiParameter.PATH,
    description=_("The case reference, e.g. `TD-2026-000123`."),
)
#: What every operation may answer besides its own: no or a bad token, a role refusal, a method
#: it does not take, an Accept it cannot satisfy, the rate limit, a backing service down.
COMMON_STATUSES = (401, 403, 405, 406, 429, 503)


def responses(ok, *statuses: int) -> dict:
    """An operation's answers: ``ok`` for 200, and an ``Error<status>`` (its codes an enum) for
    each of ``statuses`` and ``COMMON_STATUSES``."""
    errors = {
        code: OpenApiResponse(
            error_serializer(code), description=", ".join(f"`{c}`" for c in ERROR_CODES[code])
        )
        for code in sorted({*statuses, *COMMON_STATUSES})
    }
    return {200: ok, **errors}


class PlatformView(APIView):
    """Answers in English unless the client asks for another language (``Accept-Language``).

    JSON only: an ``Accept`` it cannot satisfy is a 406 in JSON."""

    def initial(self, request, *args, **kwargs):
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        super().initial(request, *args, **kwargs)


def visible_cases(user):
    return cases_visible_to(user=user).select_related("rights_holder", "right")


def visible_case_or_404(user, reference: str, *, with_items: bool = False):
    if not REFERENCE.match(reference):
        raise Http404
    queryset = visible_cases(user)
    if with_items:
        queryset = queryset.prefetch_related(
            Prefetch("items", InfringingItem.objects.select_related("outcome_reason"))
        )
    try:
        return queryset.get(reference=reference)
    except queryset.model.DoesNotExist:
        # the decision sheet's words for a reference it cannot find
        raise exceptions.NotFound(case_not_found_message(reference)) from None


def api_change_reason(request) -> str:
    """What the audit history says a write came from: the API and which token."""
    return f"Platform API, token {request.auth.token_key}…"


def query_params(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MeView(PlatformView):
    """Who holds this token and until when: a cheap way for a client to check its setup."""

    @extend_schema(
        parameters=[RETRY_AFTER_HEADER],
        responses=responses(s.TokenInfoSerializer),
        tags=["token"],
        operation_id="token_info",
    )
    def get(self, request):
        token = request.auth
        data = {
            "username": request.user.get_username(),
            "token_key": token.token_key,
            "expiry": token.expiry,
        }
        return Response(s.TokenInfoSerializer(data).data)


class CaseListView(PlatformView):
    @extend_schema(
        parameters=[s.CaseListQuerySerializer, RETRY_AFTER_HEADER],
        responses=responses(s.CasePageSerializer, 400),
        tags=["cases"],
        operation_id="cases_list",
        summary="Cases forwarded to the platform, oldest change first",
    )
    def get(self, request):
        params = query_params(s.CaseListQuerySerializer, request)
        queryset = visible_cases(request.user)
        if params.get("state"):
            queryset = queryset.filter(state__in=params["state"])
        if "updated_since" in params:
            queryset = queryset.filter(updated_at__gte=params["updated_since"])
        limit = params["limit"]
        rows = list(after_cursor(queryset, params.get("cursor"))[: limit + 1])
        page, more = rows[:limit], len(rows) > limit
        next_cursor = next_url = None
        if more:
            next_cursor = encode_cursor(page[-1].updated_at, page[-1].pk)
            query = request.query_params.copy()
            query["cursor"] = next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(
            {
                "next_cursor": next_cursor,
                "next": next_url,
                "results": s.CaseSerializer(page, many=True).data,
            }
        )


class CaseDetailView(PlatformView):
    @extend_schema(
        parameters=[REFERENCE_PARAMETER, RETRY_AFTER_HEADER],
        responses=responses(s.CaseDetailSerializer, 404),
        tags=["cases"],
        operation_id="cases_detail",
        summary="One case with its items",
    )
    def get(self, request, reference: str):
        case = visible_case_or_404(request.user, reference, with_items=True)
        return Response(s.CaseDetailSerializer(case).data)


class EventFeedView(PlatformView):
    @extend_schema(
        parameters=[s.EventQuerySerializer, RETRY_AFTER_HEADER],
        responses=responses(s.EventFeedSerializer, 400),
        tags=["events"],
        operation_id="events_feed",
        summary="Status events of the platform's cases after an event id",
    )
    def get(self, request):
        params = query_params(s.EventQuerySerializer, request)
        after, limit = params["after"], params["limit"]
        queryset = StatusEvent.objects.filter(
            case__in=cases_visible_to(user=request.user), id__gt=after
        )
        # What of a case's log the platform sees (not DIP's internal steps): the admin's rule.
        queryset = (
            events_visible_to(user=request.user, queryset=queryset)
            .select_related("case", "reason_code")
            .only(*EVENT_COLUMNS)
            .order_by("id")
        )
        rows = list(queryset[: limit + 1])
        page = rows[:limit]
        return Response(
            {
                "results": s.EventSerializer(page, many=True).data,
                "after": page[-1].pk if page else after,
                "has_more": len(rows) > limit,
            }
        )


class ReasonCodeListView(PlatformView):
    @extend_schema(
        parameters=[RETRY_AFTER_HEADER],
        responses=responses(s.ReasonCodeSerializer(many=True)),
        tags=["reason codes"],
        operation_id="reason_codes_list",
        summary="The reason codes a refusal or an information request may give",
    )
    def get(self, request):
        codes = ReasonCode.objects.filter(active=True).order_by("code")
        return Response(s.ReasonCodeSerializer(codes, many=True).data)


EVENT_COLUMNS = (
    "id",
    "case__reference",
    "item",
    "from_state",
    "to_state",
    "item_outcome",
    "at",
    "reported_at",
    "reason_code__code",
    "note",
)


class IdempotentWriteView(PlatformView):
    """A write that needs an ``Idempotency-Key``: its first answer is stored and replayed."""

    def post(self, request, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY.match(key):
            raise exceptions.ValidationError(
                {
                    "Idempotency-Key": [
                        _(
                            "Send a unique Idempotency-Key header (1–255 ASCII characters, no space)."
                        )
                    ]
                }
            )
        fingerprint = idempotency_fingerprint(
            method=request.method, path=request.path, body=request.body
        )
        with transaction.atomic():
            row, created = idempotency_key_claim(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path,
                fingerprint=fingerprint,
            )
            if not created:
                if row.fingerprint != fingerprint:
                    raise Refused(
                        _("This Idempotency-Key was already used for another request."),
                        code="idempotency_key_reused",
                    )
                response = Response(row.response, status=row.status_code)
                response["Idempotent-Replayed"] = "true"
                return response
            try:
                with transaction.atomic():
                    status_code, body = self.perform(request, **kwargs)
            except Exception as error:  # a refusal is an answer too: store it, replay it
                response = exception_handler(error, {"view": self, "request": request})
                if response is None or response.status_code >= 500:
                    raise
                status_code, body = response.status_code, response.data
            idempotency_key_store(row=row, status_code=status_code, response=body)
        return Response(body, status=status_code)

    def perform(self, request, **kwargs) -> tuple[int, dict]:
        raise NotImplementedError


class CaseDecisionView(IdempotentWriteView):
    @extend_schema(
        parameters=[REFERENCE_PARAMETER, IDEMPOTENCY_HEADER, REPLAYED_HEADER, RETRY_AFTER_HEADER],
        request=s.CaseDecisionSerializer,
        responses=responses(s.CaseDecisionResultSerializer, 400, 404, 409, 415, 422),
        tags=["decisions"],
        operation_id="case_decision",
        summary="Record the platform's decision on a case",
    )
    def post(self, request, reference: str):
        return super().post(request, reference=reference)

    def perform(self, request, reference: str):
        data = s.CaseDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = visible_case_or_404(request.user, reference)
        changed = case_decision_record(
            case=case,
            decision=values["decision"],
            actor=request.user,
            note=values.get("note", ""),
            reason_code=values.get("reason_code", ""),
            reported_at=values.get("decided_at"),
            ippc_ticket_id=values.get("ippc_ticket_id") or None,
            change_reason=api_change_reason(request),
        )
        case = visible_case_or_404(request.user, reference, with_items=True)
        return status.HTTP_200_OK, {
            "changed": changed,
            "case": s.CaseDetailSerializer(case).data,
        }


class ItemDecisionView(IdempotentWriteView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "item_id",
                type={"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                location=OpenApiParameter.PATH,
            ),
            IDEMPOTENCY_HEADER,
            REPLAYED_HEADER,
            RETRY_AFTER_HEADER,
        ],
        request=s.ItemDecisionSerializer,
        responses=responses(s.ItemDecisionResultSerializer, 400, 404, 409, 415, 422),
        tags=["decisions"],
        operation_id="item_decision",
        summary="Record the platform's outcome for one infringing item",
    )
    def post(self, request, item_id: int):
        return super().post(request, item_id=item_id)

    def perform(self, request, item_id: int):
        data = s.ItemDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not 0 < item_id < 2**63:
            raise Http404
        item = (
            InfringingItem.objects.filter(case__in=cases_visible_to(user=request.user))
            .select_related("outcome_reason")
            .filter(pk=item_id)
            .first()
        )
        if item is None:
            raise Http404
        changed = item_decision_record(
            item=item,
            outcome=values["outcome"],
            actor=request.user,
            note=values.get("note", ""),
            reason_code=values.get("reason_code", ""),
            reported_at=values.get("decided_at"),
            change_reason=api_change_reason(request),
        )
        item.refresh_from_db()
        return status.HTTP_200_OK, {
            "changed": changed,
            "item": s.ItemSerializer(item).data,
            "case_state": item.case.state,
        }


def not_found(request, path=""):
    """Any other path under /api/: a 404 in the API's JSON, never the site's HTML page."""
    with translation.override("en"):
        body = {"code": "not_found", "detail": str(exceptions.NotFound.default_detail)}
    return JsonResponse(body, status=404)
