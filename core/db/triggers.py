"""Database triggers that refuse ``UPDATE`` and ``DELETE`` on a table, from any client.

Used by the migrations of the tables whose rows are never changed once written: the audit trail
(append-only) and published flow versions (immutable). The models and their querysets refuse
too; the triggers close the gap for raw SQL and other tools. ``TRUNCATE``, an owner's operation,
stays possible for test teardown; production should run the application under a role without
it on these tables.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RefuseChanges:
    """The triggers for ``table``: on PostgreSQL ``<table>_<suffix>`` calling the PL/pgSQL
    ``function``, on SQLite ``<table>_no_update`` and ``<table>_no_delete``; the error says
    ``<table> <what>``."""

    table: str
    suffix: str
    function: str
    what: str

    def install(self, apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"""
CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% {self.what}', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {self.table}_{self.suffix} BEFORE UPDATE OR DELETE ON {self.table}
    FOR EACH ROW EXECUTE FUNCTION {self.function}();
""",
                params=None,
            )
        elif vendor == "sqlite":
            for event in ("update", "delete"):
                schema_editor.execute(
                    f"CREATE TRIGGER {self.table}_no_{event} BEFORE {event.upper()} ON {self.table} "
                    f"BEGIN SELECT RAISE(ABORT, '{self.table} {self.what}'); END;"
                )

    def uninstall(self, apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.table}_{self.suffix} ON {self.table};")
        elif vendor == "sqlite":
            for event in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.table}_no_{event};")
