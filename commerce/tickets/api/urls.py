from django.urls import path

from . import views

urlpatterns = [
    path("tickets/", views.TicketListApi.as_view(), name="ticket-list"),
    path("tickets/<int:ticket_id>/", views.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<int:ticket_id>/assign-to-me/", views.TicketAssignToMeApi.as_view(), name="ticket-assign-to-me"),
    path("tickets/<int:ticket_id>/comments/", views.TicketCommentApi.as_view(), name="ticket-comment"),
    path("tickets/<int:ticket_id>/close/", views.TicketCloseApi.as_view(), name="ticket-close"),
]
