"""The customer's pages (public, keyed by signed tokens): tracking ``/t/refund/<token>/`` and filing
``/t/refund/file/<token>/``."""

from django.urls import path

from . import pages

urlpatterns = [
    path("file/<str:token>/", pages.RefundFilingPage.as_view(), name="refund-filing"),
    path("<str:token>/", pages.refund_tracking, name="refund-tracking"),
    path("<str:token>/cancel/", pages.refund_tracking_cancel, name="refund-tracking-cancel"),
    path("<str:token>/evidence/<int:evidence_id>/", pages.refund_tracking_evidence, name="refund-tracking-evidence"),
]
