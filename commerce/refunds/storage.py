"""Where evidence images are kept: a file system storage in the var dir, with no public URL.

Not ``MEDIA_ROOT`` and no static route: a file is read only through the API's download view,
after its role check, or through the customer's signed link.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def evidence_root() -> str:
    """``ORDERFLOW_REFUND_EVIDENCE_DIR``, by default ``<var dir>/refund-evidence``."""
    configured = getattr(settings, "ORDERFLOW_REFUND_EVIDENCE_DIR", "")
    return str(configured or settings.VAR_DIR / "refund-evidence")


class EvidenceStorage(FileSystemStorage):
    """A file system storage whose root is read from the settings on each use (so a test may move it)."""

    @property
    def base_location(self):
        return evidence_root()

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("refund evidence has no public URL: it is served by the API only")


def evidence_storage() -> EvidenceStorage:
    """The storage, as a callable: migrations record the function, not a path."""
    return EvidenceStorage()
