from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "commerce.inbox"
    label = "inbox"
