import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderflow.settings")
os.environ.setdefault("ORDERFLOW_DB_POOL", "1")  # the web server's PostgreSQL connections come from a pool
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application() does

from channels.routing import ProtocolTypeRouter  # noqa: E402  (after Django is set up)

from orderflow.handlers import OneHopASGIHandler  # noqa: E402

application = ProtocolTypeRouter({"http": OneHopASGIHandler()})
