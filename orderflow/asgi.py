"""The ASGI application daphne serves (``python -m daphne orderflow.asgi:application``).

HTTP goes through Django's own ASGI handler (``get_asgi_application()``): each request runs its
sync middleware and view in a worker thread of its own, as Django documents. Channels' router is
where WebSocket consumers will be added beside it.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderflow.settings")
# The web server's PostgreSQL connections come from a pool (orderflow.settings, "database").
os.environ.setdefault("ORDERFLOW_DB_POOL", "1")
django_application = get_asgi_application()  # sets Django up before anything imports models

from channels.routing import ProtocolTypeRouter  # noqa: E402  (after Django is set up)

application = ProtocolTypeRouter({"http": django_application})
