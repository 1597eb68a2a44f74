"""The ASGI application daphne serves (``python -m daphne orderflow.asgi:application``).

HTTP goes through Django's own ASGI handler (``get_asgi_application()``): each request runs its
sync middleware and view in a worker thread of its own, as Django documents. WebSockets go to
``/ws/live/`` (``insights.live``): the session or API token identifies the user, and the origin
must be one of ``ALLOWED_HOSTS`` (a page of another site cannot open the socket with the user's
cookie). ``python -m orderflow.run`` serves this application with daphne beside gunicorn.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderflow.settings")
# The web server's PostgreSQL connections come from a pool (orderflow.settings, "database").
os.environ.setdefault("ORDERFLOW_DB_POOL", "1")
django_application = get_asgi_application()  # sets Django up before anything imports models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (after Django is set up)
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from insights.live.auth import LiveAuthStack  # noqa: E402
from insights.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(LiveAuthStack(URLRouter(websocket_urlpatterns))),
    }
)
