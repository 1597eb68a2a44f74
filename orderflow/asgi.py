import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderflow.settings")
os.environ.setdefault("ORDERFLOW_DB_POOL", "1")  # the web server's PostgreSQL connections come from a pool
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402  (after Django is set up)

application = ProtocolTypeRouter({"http": django_asgi_app})
