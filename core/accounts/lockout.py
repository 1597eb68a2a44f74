"""Login lockout: django-axes counts failed logins; this is how Orderflow plugs it in.

``LoginLockoutBackend`` is axes' backend, first in ``AUTHENTICATION_BACKENDS``: at the limit it
refuses the login before the password is checked. A login without a request (a test client's
``login()``, a management command) is not an HTTP login and is not counted — every login view
passes its ``HttpRequest`` (the token endpoint, the session login and the admin's form do).

``client_address`` is the address a failure is counted against: ``REMOTE_ADDR``, or behind
``ORDERFLOW_PROXY_COUNT`` trusted reverse proxies the address the outermost of them saw (counted
from the right of ``X-Forwarded-For``, which each proxy appends to — what the client itself
wrote there is ignored). Without it, behind a proxy every login would share the proxy's address.

``lockout_response`` is the answer at the limit, for every one of them: 429 with the error body
and ``Retry-After``. It names neither the username nor whether it exists.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.utils.translation import gettext as _

from core.api.errors import error_response


class LoginLockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    proxies = settings.ORDERFLOW_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    return hops[-proxies] if len(hops) >= proxies else remote


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    minutes = max(1, -(-seconds // 60))
    response = error_response(
        429,
        "too_many_failed_logins",
        _("Too many failed logins. Try again in %(minutes)d minutes.") % {"minutes": minutes},
        {"retry_after_seconds": seconds},
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
