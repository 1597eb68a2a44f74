from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.InboxListApi.as_view(), name="inbox-list"),
    path("inbox/unread-count/", views.InboxUnreadCountApi.as_view(), name="inbox-unread-count"),
    path("inbox/read-all/", views.InboxReadAllApi.as_view(), name="inbox-read-all"),
    path("inbox/<int:notification_id>/read/", views.InboxReadApi.as_view(), name="inbox-read"),
]
