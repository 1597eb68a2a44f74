from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.accounts.roles import ADMINS, EVERYONE, roles_of


class RolePermission(BasePermission):
    """Checks the caller's role against the view's ``read_roles`` (safe methods) or ``write_roles``.

    A view that declares neither is readable by every role and writable by admins only, so a
    forgotten declaration fails closed.
    """

    message = _("Your role does not allow this.")

    def has_permission(self, request, view) -> bool:
        roles = roles_of(request.user)
        if request.method in SAFE_METHODS:
            allowed = getattr(view, "read_roles", EVERYONE)
        else:
            allowed = getattr(view, "write_roles", ADMINS)
        return bool(roles & allowed)
