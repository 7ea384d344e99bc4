from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "leadledger.channel"
    label = "channel"
    verbose_name = "Channel"
