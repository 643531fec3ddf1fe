from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable reason, e.g. `token_expired`."))
    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text=_("Messages per field."))


class TokenInfoSerializer(serializers.Serializer):
    username = serializers.CharField()
    token_key = serializers.CharField(help_text=_("The first characters of the token."))
    expiry = serializers.DateTimeField(allow_null=True)
