import base64
import binascii
from urllib.parse import parse_qs

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from core.errors import DomainError

from .parsers import is_storable_text


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    http_status = 400
    message = _("The cursor is not one this list gave out; start again from the first page.")


class CursorPagination(pagination.CursorPagination):
    """DRF's cursor pagination, answering a cursor it did not give out with 400 ``invalid_cursor``.

    DRF answers an undecodable cursor with 404, and one that decodes to a position the database
    cannot compare (``p=abc`` on an id ordering, an id past the column's range, a NUL character)
    reaches the database and fails there with a 500. Here all are the caller's mistake: the
    position must be storable text and, when the ordering is a model field, a value of that field
    within its validators (an integer column's range) — checked before any query runs. Every
    cursor-paginated list of the API uses this class (the default pagination is a subclass).
    """

    def paginate_queryset(self, queryset, request, view=None):
        field_name = self.get_ordering(request, queryset, view)[0].lstrip("-")
        try:
            self._position_field = queryset.model._meta.get_field(field_name)
        except FieldDoesNotExist:
            self._position_field = None  # an annotation: its type is not known here
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded and not _well_formed(encoded):
            raise InvalidCursor()
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise InvalidCursor() from None
        if cursor is None or cursor.position is None:
            return cursor
        if not is_storable_text(str(cursor.position)):
            raise InvalidCursor()
        if self._position_field is not None:
            try:
                value = self._position_field.to_python(cursor.position)
                self._position_field.run_validators(value)
            except (ValidationError, TypeError, ValueError, OverflowError):
                raise InvalidCursor() from None
        return cursor


def _well_formed(encoded: str) -> bool:
    """Whether ``encoded`` is what DRF's ``encode_cursor`` writes: strict base64 of a query string
    holding each of ``o``, ``r`` and ``p`` at most once. DRF's own decoding drops characters that
    are not base64 and ignores unknown keys, so a garbled cursor would quietly read as the first page.
    """
    try:
        query = base64.b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        tokens = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except (ValueError, binascii.Error):
        return False
    return set(tokens) <= {"o", "r", "p"} and all(len(values) == 1 for values in tokens.values())


class CreatedCursorPagination(CursorPagination):
    """Newest first, stable under inserts: a cursor never skips or repeats a row."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
