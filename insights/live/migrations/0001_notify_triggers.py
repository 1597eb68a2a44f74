"""PostgreSQL: ``NOTIFY orderflow_live`` from every transaction that inserts into a table the live
follower reads (insights.live.follower), so each web process looks at once instead of polling.

One notification per statement, with a constant payload: PostgreSQL folds identical
notifications of one transaction into one and delivers it after the commit. Other databases
get nothing here; the follower polls them. The SQL is written out (migrations import no project code).
"""

from django.db import migrations

CHANNEL = "orderflow_live"
TABLES = ("outbox_outboxevent", "inbox_notification", "inbox_notificationread")


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION orderflow_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$;
        """
    )
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_live_notify AFTER INSERT ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION orderflow_live_notify();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_live_notify ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS orderflow_live_notify();")


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("inbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
