from django.db import connection

from commerce.db import insert_or_ignore, insert_select_sql, model_reader, objects_where, prepared_cursor

from .models import Customer


def customer_get_or_create(*, name: str, phone: str, email: str = "") -> Customer:
    """The customer with this phone, created if new. Safe under concurrent calls for one phone.

    One statement on PostgreSQL: read the phone, insert it when not found. Elsewhere one for a
    known phone and two for a new one. The insert skips a phone stored meanwhile (``ON CONFLICT
    DO NOTHING``, ``INSERT OR IGNORE`` on SQLite) instead of failing, so it needs no savepoint; a
    racer's row is then read back.
    """
    customer = Customer(name=name, phone=phone, email=email)
    if connection.vendor == "postgresql":
        found = _found_or_inserted(customer)
        if found is not None:
            return found
    else:
        found = objects_where(Customer, "phone = %s", [phone], prepare=True)
        if found:
            return found[0]
        if insert_or_ignore(customer):
            return customer
    return Customer.objects.get(phone=phone)


def _found_or_inserted(customer: Customer) -> Customer | None:
    """The stored row of ``customer.phone``, or ``customer`` inserted; ``None`` when a concurrent
    transaction stored that phone after this statement's snapshot was taken (read it again)."""
    columns, instance = model_reader(Customer)
    table = connection.ops.quote_name(Customer._meta.db_table)
    insert, params = insert_select_sql(customer, "(SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM found)) AS new")
    sql = (
        f"WITH found AS (SELECT {columns} FROM {table} WHERE phone = %s), "
        f"inserted AS ({insert} ON CONFLICT DO NOTHING RETURNING {columns}) "
        f"SELECT {columns} FROM found UNION ALL SELECT {columns} FROM inserted"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [customer.phone, *params])
        row = cursor.fetchone()
    return None if row is None else instance(row)
