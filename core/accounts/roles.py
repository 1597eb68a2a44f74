"""The five roles, as Django groups, and who may do what.

``operator`` works orders and stock, ``supervisor`` and ``finance`` approve within their limits,
``admin`` does everything, ``manager`` reads. Superusers count as admins.
"""

OPERATOR = "operator"
SUPERVISOR = "supervisor"
FINANCE = "finance"
ADMIN = "admin"
MANAGER = "manager"

ALL_ROLES = (OPERATOR, SUPERVISOR, FINANCE, ADMIN, MANAGER)

EVERYONE = frozenset(ALL_ROLES)
ORDER_WORKERS = frozenset({OPERATOR, SUPERVISOR, ADMIN})
FLOW_EDITORS = ORDER_WORKERS
STOCK_KEEPERS = frozenset({OPERATOR, SUPERVISOR, ADMIN})
ADMINS = frozenset({ADMIN})

# Who sees customers' phone numbers in full in API answers and exports. Everyone else sees them
# masked (``138****1234``, ``core.privacy.mask_phone``): an operator works an order without the
# number, and one who has the number (a customer on the line) can still search by it — the search
# matches the full number only, so it reveals nothing that was not typed in. Supervisors handle
# escalations that need a call back; admins run the system. Flows, domain events and connectors
# always carry the full number: masking is for people reading answers, not for the data itself.
PHONE_READERS = frozenset({SUPERVISOR, ADMIN})


def may_see_phones(user) -> bool:
    """Whether answers to ``user`` carry phone numbers in full (``PHONE_READERS``)."""
    return bool(roles_of(user) & PHONE_READERS)


def roles_of(user) -> frozenset[str]:
    if not user or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset({ADMIN})
    cached = getattr(user, _ROLES_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & EVERYONE
        remember_roles(user, cached)
    return cached


# Where a user object keeps the roles read for it, for the rest of the request.
_ROLES_ATTRIBUTE = "_orderflow_roles"


def remember_roles(user, roles: frozenset[str]) -> None:
    """Keeps ``roles`` on ``user`` so that ``roles_of`` does not read them again."""
    setattr(user, _ROLES_ATTRIBUTE, roles)
