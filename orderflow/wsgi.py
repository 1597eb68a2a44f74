"""The WSGI application gunicorn serves for HTTP (``gunicorn orderflow.wsgi:application``).

Django's own WSGI handler: each request runs its middleware and view in one of gunicorn's
threads, start to end, with no hop between an event loop and a thread. The ASGI application
(``orderflow.asgi``) is for WebSockets, beside it.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderflow.settings")
# The web server's PostgreSQL connections come from a pool (orderflow.settings, "database").
os.environ.setdefault("ORDERFLOW_DB_POOL", "1")
application = get_wsgi_application()
