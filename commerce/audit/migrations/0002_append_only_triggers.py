"""Database triggers that refuse UPDATE and DELETE on the audit trail, from any client."""

from django.db import migrations

from core.db.triggers import RefuseChanges

TRIGGERS = RefuseChanges(
    table="audit_auditentry", suffix="append_only", function="orderflow_append_only", what="is append-only"
)
install, uninstall = TRIGGERS.install, TRIGGERS.uninstall


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
