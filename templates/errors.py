"""Errors of the marketplace. The API maps each to ``{"code", "message", "details"}``."""

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound


class TemplateNotFound(NotFound):
    code = "not_found"
    message = _("No such template.")


class InstallationNotFound(NotFound):
    code = "not_found"
    message = _("This flow was not installed from a template.")


class InvalidParameters(InvalidInput):
    """``details`` names each parameter or connection that is wrong, and what is expected."""

    code = "invalid_parameters"
    message = _("Some of the template's parameters or connections are not valid; nothing was installed.")


class ConnectionMissing(Conflict):
    """A needed connector has no connection yet: ``details`` says what to connect and where."""

    code = "connection_missing"
    message = _(
        "This template needs a connection that does not exist yet. Connect it on the Connections page, "
        "or save the template as a draft."
    )


class UpToDate(Conflict):
    code = "up_to_date"
    message = _("The flow already runs the template's latest version.")


class InvalidImport(InvalidInput):
    """``details["problems"]`` says, in words, what each flow of the file is missing."""

    code = "invalid_import"
    message = _("The file cannot be imported; nothing was created.")
