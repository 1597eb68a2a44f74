"""Commands that take no parameters read their body all the same.

DRF parses a body only when a view reads ``request.data``; a command that never does would carry
out a request whose body is malformed, unstorable or not a JSON object. Calling :func:`no_body`
first refuses those exactly as an endpoint with parameters would (400 ``malformed_json``,
``invalid_json`` or ``invalid``); an empty body or any JSON object passes.
"""

from rest_framework import serializers


class NoBodySerializer(serializers.Serializer):
    """No fields: accepts an empty body or any JSON object, refuses every other JSON value."""


def no_body(request) -> None:
    NoBodySerializer(data=request.data).is_valid(raise_exception=True)
