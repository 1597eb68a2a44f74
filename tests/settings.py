"""The settings the test suite runs under: ``orderflow.settings`` as a development install.

``ORDERFLOW_DEV=1`` lets the settings use a key generated once into the var dir when
``SECRET_KEY`` is unset, as ``make run`` does. It is put in the environment, so the servers and
workers that some tests start in processes of their own load the same settings the same way.
"""

import os

os.environ.setdefault("ORDERFLOW_DEV", "1")

from orderflow.settings import *  # noqa: E402, F403

# Refund evidence images written by tests go to the system's temporary directory, not the var dir.
ORDERFLOW_REFUND_EVIDENCE_DIR = os.path.join(__import__("tempfile").gettempdir(), "orderflow-test-refund-evidence")
