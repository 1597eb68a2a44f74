from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "commerce.tickets"
    label = "tickets"
