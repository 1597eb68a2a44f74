"""The customer's tracking page (public, keyed by the signed token): ``/t/refund/<token>/``."""

from django.urls import path

from . import pages

urlpatterns = [
    path("<str:token>/", pages.refund_tracking, name="refund-tracking"),
    path("<str:token>/cancel/", pages.refund_tracking_cancel, name="refund-tracking-cancel"),
]
