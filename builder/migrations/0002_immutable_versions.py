"""Database triggers that refuse UPDATE and DELETE of published flow versions, from any client.

The SQL is written out here, as it was when this migration was made, so that the migration keeps
its meaning whatever later code does. ``TRUNCATE``, an owner's operation, stays possible for test
teardown. ``install`` and ``uninstall`` are also used by 0003, which lifts the triggers for its
own transaction.
"""

from django.db import migrations

POSTGRESQL_INSTALL = """
CREATE OR REPLACE FUNCTION orderflow_immutable_row() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is immutable', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER builder_flowversion_immutable BEFORE UPDATE OR DELETE ON builder_flowversion
    FOR EACH ROW EXECUTE FUNCTION orderflow_immutable_row();
"""
POSTGRESQL_UNINSTALL = "DROP TRIGGER IF EXISTS builder_flowversion_immutable ON builder_flowversion;"

SQLITE_INSTALL = [
    "CREATE TRIGGER builder_flowversion_no_update BEFORE UPDATE ON builder_flowversion "
    "BEGIN SELECT RAISE(ABORT, 'builder_flowversion is immutable'); END;",
    "CREATE TRIGGER builder_flowversion_no_delete BEFORE DELETE ON builder_flowversion "
    "BEGIN SELECT RAISE(ABORT, 'builder_flowversion is immutable'); END;",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS builder_flowversion_no_update;",
    "DROP TRIGGER IF EXISTS builder_flowversion_no_delete;",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_INSTALL, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_UNINSTALL)
    elif vendor == "sqlite":
        for statement in SQLITE_UNINSTALL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("builder", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
