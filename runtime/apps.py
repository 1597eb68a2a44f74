from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """The engine that runs published flows.

    On start it registers the core actions into ``builder.catalog`` (spec and implementation)
    and listens to ``commerce.outbox``'s commits to wake its dispatcher.
    """

    name = "runtime"
    label = "runtime"
    verbose_name = "Flow runtime"

    def ready(self) -> None:
        from . import receivers
        from .actions import register_core_actions

        register_core_actions()
        receivers.connect()
