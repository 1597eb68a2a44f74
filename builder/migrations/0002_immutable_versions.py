"""Database triggers that refuse UPDATE and DELETE of published flow versions, from any client.

``install`` and ``uninstall`` are also used by 0003, which lifts the triggers for its own
transaction.
"""

from django.db import migrations

from core.db.triggers import RefuseChanges

TRIGGERS = RefuseChanges(
    table="builder_flowversion", suffix="immutable", function="orderflow_immutable_row", what="is immutable"
)
install, uninstall = TRIGGERS.install, TRIGGERS.uninstall


class Migration(migrations.Migration):
    dependencies = [("builder", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
