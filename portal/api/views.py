"""The platform API, version 1: thin views over ``takedowns`` selectors and services."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.serializers import ErrorSerializer, TokenInfoSerializer

ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 429: ErrorSerializer}


class MeView(APIView):
    """Who holds this token and until when: a cheap way for a client to check its setup."""

    @extend_schema(responses={200: TokenInfoSerializer, **ERRORS}, tags=["token"])
    def get(self, request):
        token = request.auth
        data = {
            "username": request.user.get_username(),
            "token_key": token.token_key,
            "expiry": token.expiry,
        }
        return Response(TokenInfoSerializer(data).data)
