"""The platform API, version 1: thin views over ``takedowns`` selectors and services.

Reads show only what ``takedowns.selectors.cases_visible_to`` lets the token's user see; writes go
through ``case_transition`` / ``item_record_outcome`` with the token's user as the actor, so the
admin and the API refuse the same moves with the same codes.
"""

import re

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import serializers as s
from portal.api.exceptions import Refused, exception_handler
from portal.api.pagination import after_cursor, encode_cursor
from portal.api.services import (
    case_decision_record,
    idempotency_fingerprint,
    idempotency_key_claim,
    idempotency_key_store,
    item_decision_record,
)
from takedowns.models import InfringingItem, StatusEvent
from takedowns.selectors import cases_visible_to, events_visible_to

ERRORS = {
    401: s.ErrorSerializer,
    403: s.ErrorSerializer,
    429: s.ErrorSerializer,
}
WRITE_ERRORS = {
    **ERRORS,
    400: s.ErrorSerializer,
    404: s.ErrorSerializer,
    409: OpenApiResponse(
        s.ErrorSerializer, description=_("`stale`: the case changed meanwhile; reload it.")
    ),
    422: OpenApiResponse(
        s.ErrorSerializer,
        description=_("Refused by the state machine (the admin's refusal) or a reused key."),
    ),
}
REFERENCE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{1,10}$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=True,
    description=_(
        "A unique key per decision (e.g. a UUID). A retry with the same key and body gets the "
        "first answer back and changes nothing; the same key with another body is refused."
    ),
)


class PlatformView(APIView):
    """Answers in English unless the client asks for another language (``Accept-Language``)."""

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
        raise Http404 from None


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
        responses={200: s.TokenInfoSerializer, **ERRORS}, tags=["token"], operation_id="token_info"
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
        parameters=[s.CaseListQuerySerializer],
        responses={200: s.CasePageSerializer, 400: s.ErrorSerializer} | ERRORS,
        tags=["cases"],
        operation_id="cases_list",
        summary="Cases forwarded to the platform, oldest change first",
    )
    def get(self, request):
        params = query_params(s.CaseListQuerySerializer, request)
        queryset = visible_cases(request.user)
        if "state" in params:
            queryset = queryset.filter(state=params["state"])
        if "updated_since" in params:
            queryset = queryset.filter(updated_at__gte=params["updated_since"])
        limit = params["limit"]
        rows = list(after_cursor(queryset, params.get("cursor"))[: limit + 1])
        page, more = rows[:limit], len(rows) > limit
        next_url = None
        if more:
            query = request.query_params.copy()
            query["cursor"] = encode_cursor(page[-1].updated_at, page[-1].pk)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"next": next_url, "results": s.CaseSerializer(page, many=True).data})


class CaseDetailView(PlatformView):
    @extend_schema(
        responses={200: s.CaseDetailSerializer, 404: s.ErrorSerializer} | ERRORS,
        tags=["cases"],
        operation_id="cases_detail",
        summary="One case with its items",
    )
    def get(self, request, reference: str):
        case = visible_case_or_404(request.user, reference, with_items=True)
        return Response(s.CaseDetailSerializer(case).data)


class EventFeedView(PlatformView):
    @extend_schema(
        parameters=[s.EventQuerySerializer],
        responses={200: s.EventFeedSerializer, 400: s.ErrorSerializer} | ERRORS,
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


EVENT_COLUMNS = (
    "id",
    "case__reference",
    "item",
    "from_state",
    "to_state",
    "item_outcome",
    "at",
    "reason_code__code",
    "note",
)


class IdempotentWriteView(PlatformView):
    """A write that needs an ``Idempotency-Key``: its first answer is stored and replayed."""

    def post(self, request, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY.match(key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Send a unique Idempotency-Key header (1–255 characters).")]}
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
        parameters=[IDEMPOTENCY_HEADER],
        request=s.CaseDecisionSerializer,
        responses={200: s.CaseDecisionResultSerializer} | WRITE_ERRORS,
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
            at=values.get("decided_at"),
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
            IDEMPOTENCY_HEADER,
            OpenApiParameter("item_id", type=int, location=OpenApiParameter.PATH),
        ],
        request=s.ItemDecisionSerializer,
        responses={200: s.ItemDecisionResultSerializer} | WRITE_ERRORS,
        tags=["decisions"],
        operation_id="item_decision",
        summary="Record the platform's outcome for one infringing item",
    )
    def post(self, request, item_id: str):
        return super().post(request, item_id=item_id)

    def perform(self, request, item_id: str):
        data = s.ItemDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not item_id.isdigit() or not 0 < int(item_id) < 2**63:
            raise Http404
        item = (
            InfringingItem.objects.filter(case__in=cases_visible_to(user=request.user))
            .select_related("outcome_reason")
            .filter(pk=int(item_id))
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
            at=values.get("decided_at"),
            change_reason=api_change_reason(request),
        )
        item.refresh_from_db()
        return status.HTTP_200_OK, {
            "changed": changed,
            "item": s.ItemSerializer(item).data,
            "case_state": item.case.state,
        }
