from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "commerce.channels"
    label = "sales_channels"
