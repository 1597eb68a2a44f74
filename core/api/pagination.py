from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from core.errors import DomainError


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    http_status = 400
    message = _("The cursor is not one this list gave out; start again from the first page.")


class CursorPagination(pagination.CursorPagination):
    """DRF's cursor pagination, answering a cursor it did not give out with 400 ``invalid_cursor``.

    DRF answers an undecodable cursor with 404, and one that decodes to a position of the wrong
    type (``?cursor=`` of ``p=abc`` on an id ordering) reaches the database and fails there with a
    500. Here both are the caller's mistake: the position is checked against the ordering field
    before any query runs.
    """

    def paginate_queryset(self, queryset, request, view=None):
        field_name = self.get_ordering(request, queryset, view)[0].lstrip("-")
        try:
            self._position_field = queryset.model._meta.get_field(field_name)
        except FieldDoesNotExist:
            self._position_field = None  # an annotation: its type is not known here
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise InvalidCursor() from None
        if cursor is not None and cursor.position is not None and self._position_field is not None:
            try:
                self._position_field.to_python(cursor.position)
            except ValidationError:
                raise InvalidCursor() from None
        return cursor


class CreatedCursorPagination(CursorPagination):
    """Newest first, stable under inserts: a cursor never skips or repeats a row."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
