from django.apps import AppConfig


class BuilderConfig(AppConfig):
    """The flow language: documents, their validation, versions and the catalog.

    It registers nothing and imports neither the runtime nor any connector; those register their
    actions into ``builder.catalog`` from their own ``ready()``.
    """

    name = "builder"
    label = "builder"
    verbose_name = "Flow builder"
