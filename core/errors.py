"""Domain exceptions. The API layer maps each to ``{"code", "message", "details"}`` and its status."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    http_status = 400
    message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, details: dict | None = None):
        if message is not None:
            self.message = message
        self.details = details or {}
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    code = "invalid"
    http_status = 400
    message = _("The request is not valid.")


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    message = _("Not found.")


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class Forbidden(DomainError):
    """The caller may use the endpoint, but not for this: a rule about who may act on this object."""

    code = "forbidden"
    http_status = 403
    message = _("You may not do this.")
