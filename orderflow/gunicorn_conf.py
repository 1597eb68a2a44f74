"""gunicorn's settings for serving Orderflow:
``gunicorn -c python:orderflow.gunicorn_conf orderflow.wsgi:application``; ``python -m orderflow.run``
and the benchmarks', faults' and fuzz's servers load it too.

gunicorn refuses some requests itself, before Django runs, with an HTML page of its own. Its caps
are set so that a request the API's schema allows never meets them, and Django's own refusals,
with the JSON error body, come first:

- the request line (method, URL, version): raised to gunicorn's maximum, 8,190 bytes, twice
  Django's limit on the URL (``ORDERFLOW_MAX_URL_BYTES``, 4,096 bytes, 414 with the error body).
  Past 8,190 bytes gunicorn answers its own HTML 414, which the schema documents;
- one header line: 8,190 bytes (gunicorn's default); the API's only header parameter
  (``Idempotency-Key``) is documented at most 128 characters;
- headers: at most 100 (gunicorn's default).
"""

LIMIT_REQUEST_LINE = 8190  # gunicorn's largest: the request line's buffer

limit_request_line = LIMIT_REQUEST_LINE
limit_request_field_size = 8190
limit_request_fields = 100
