"""Creating, changing and testing connections; their sealed credentials; their health.

Credentials are validated against the connector's credential schema, then sealed as one JSON
object. An update may leave secrets out: a secret not sent keeps its stored value (the API never
answers a secret, so a form cannot send it back). Nothing here logs a credential value.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.actors import CONNECTION, Actor
from core.crypto import SecretUnreadable, reveal, seal
from core.errors import Conflict, InvalidInput, NotFound
from runtime.queue import enqueue

from ..base import Connector, ProviderError
from ..http import session_for
from ..models import Connection, WebhookDelivery
from ..registry import connector as registered_connector

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 500


def connector_of(connection: Connection) -> Connector:
    found = registered_connector(connection.connector)
    if found is None:
        raise NotFound(details={"connector": f"no connector {connection.connector!r}"})
    return found


def connection_actor(connection: Connection, *, source: str) -> Actor:
    """The actor of changes a connection makes: ``source`` says how (``webhook:shopify``, ``poll:jd``)."""
    return Actor(kind=CONNECTION, id=str(connection.pk), label=connection.name, source=source)


def _validate(connector: Connector, credentials: dict, settings: dict) -> None:
    problems: dict[str, str] = {}
    for field, value, schema in (
        ("credentials", credentials, connector.credentials_schema),
        ("settings", settings, connector.settings_schema),
    ):
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
        for error in errors:
            # Name the offending field, never echo the value (it may be a secret).
            where = ".".join(str(p) for p in error.path) or (
                error.validator_value[0] if error.validator == "required" and error.validator_value else ""
            )
            if error.validator == "required":
                missing = [name for name in error.validator_value if name not in (error.instance or {})]
                where = missing[0] if missing else where
                message = "required"
            else:
                message = f"does not match the {error.validator!r} rule of the schema"
            problems[f"{field}.{where}" if where else field] = message
    if problems:
        raise InvalidInput(details=problems)


@dataclass(frozen=True)
class ConnectionInput:
    connector: str
    name: str
    credentials: dict
    settings: dict
    sandbox: bool = False
    enabled: bool = True


def connection_create(*, data: ConnectionInput, created_by=None) -> Connection:
    found = registered_connector(data.connector)
    if found is None:
        raise InvalidInput(details={"connector": f"no connector {data.connector!r}"})
    if data.sandbox and found.sandbox is None:
        raise InvalidInput(details={"sandbox": f"{found.key} has no sandbox"})
    credentials = data.credentials
    if data.sandbox and not credentials:
        credentials = dict(found.sandbox_credentials)
    _validate(found, credentials, data.settings)
    try:
        with transaction.atomic():
            return Connection.objects.create(
                connector=found.key,
                name=data.name,
                credentials_sealed=seal(json.dumps(credentials, sort_keys=True)),
                settings=data.settings,
                sandbox=data.sandbox,
                enabled=data.enabled,
                created_by=created_by,
            )
    except IntegrityError:
        raise Conflict(details={"name": f"a {found.key} connection named {data.name!r} exists"}) from None


def connection_update(
    *,
    connection_id: int,
    name: str | None = None,
    credentials: dict | None = None,
    settings: dict | None = None,
    enabled: bool | None = None,
) -> Connection:
    """Changes what is given. ``credentials`` merges over the stored ones: a secret left out is kept."""
    with transaction.atomic():
        connection = Connection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            raise NotFound(details={"connection": connection_id})
        found = connector_of(connection)
        merged = connection_credentials(connection)
        if credentials is not None:
            merged = {**merged, **credentials}
        previous_settings = connection.settings
        new_settings = connection.settings if settings is None else settings
        _validate(found, merged, new_settings)
        connection.credentials_sealed = seal(json.dumps(merged, sort_keys=True))
        connection.settings = new_settings
        if name is not None:
            connection.name = name
        if enabled is not None:
            connection.enabled = enabled
        if settings is not None and settings != previous_settings:
            # The share rules may have changed: plan every SKU again, and push soon.
            connection.stock_synced_until = None
            if found.stock is not None:
                transaction.on_commit(_stock_sync_soon)
        try:
            with transaction.atomic():
                connection.save()
        except IntegrityError:
            raise Conflict(details={"name": f"a {found.key} connection named {name!r} exists"}) from None
        return connection


def _stock_sync_soon() -> None:
    enqueue("connectors.tasks.stock_sync_task")


def connection_delete(*, connection_id: int) -> None:
    """Deletes the connection with everything kept under it (deliveries, poll runs, sandbox rows).

    The connection's row is locked first (``FOR UPDATE``): a transaction that has written a row
    pointing at it holds ``FOR KEY SHARE`` on it from its foreign-key check, so the delete waits for
    that commit and its cascade then sees the row — without the lock it collected the rows before
    that commit and its own DELETE broke the foreign key. A writer that comes after the lock finds
    no connection.
    """
    with transaction.atomic():
        found = list(Connection.objects.select_for_update().filter(pk=connection_id).values_list("pk", flat=True))
        if not found:
            raise NotFound(details={"connection": connection_id})
        # Replays first: the cascade would otherwise null each replay's ``replay_of`` before deleting
        # it, and a replay without its original is, for the unique dedup key, that delivery again
        # (500; found by the schema fuzz).
        WebhookDelivery.objects.filter(connection_id=connection_id, replay_of__isnull=False).delete()
        Connection.objects.filter(pk=connection_id).delete()


def connection_credentials(connection: Connection) -> dict[str, Any]:
    """The revealed credentials, for a call to the provider. Never log or answer what this returns."""
    try:
        return json.loads(reveal(connection.credentials_sealed))
    except SecretUnreadable:
        logger.error("connection %s: its credentials cannot be revealed (sealed under another key?)", connection.pk)
        raise


def connections_reseal() -> int:
    """Seals every connection's credentials again under the current first key (key rotation)."""
    count = 0
    for pk in Connection.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            connection = Connection.objects.select_for_update().get(pk=pk)
            connection.credentials_sealed = seal(reveal(connection.credentials_sealed))
            connection.save(update_fields=["credentials_sealed"])
            count += 1
    return count


def connection_client(connection: Connection) -> Any:
    """The connector's API client for this connection (credentials revealed, session built)."""
    found = connector_of(connection)
    if found.client is None:
        raise InvalidInput(details={"connector": f"{found.key} makes no outbound calls"})
    return found.client(connection, session_for(connection, found))


def connection_health_success(connection_id: int) -> None:
    Connection.objects.filter(pk=connection_id).update(last_success_at=timezone.now(), consecutive_failures=0)


def connection_health_failure(connection_id: int, error: str) -> None:
    Connection.objects.filter(pk=connection_id).update(
        last_error_at=timezone.now(),
        last_error=error[:MAX_ERROR_LENGTH],
        consecutive_failures=F("consecutive_failures") + 1,
    )


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    code: str = ""


def connection_test(*, connection_id: int) -> CheckResult:
    """Calls the provider's cheapest authenticated endpoint (or the sandbox) and records the health."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        raise NotFound(details={"connection": connection_id})
    found = connector_of(connection)
    if found.check is None:
        raise InvalidInput(details={"connector": f"{found.key} has nothing to test"})
    try:
        found.check(connection_client(connection))
    except ProviderError as exc:
        connection_health_failure(connection.pk, exc.message)
        return CheckResult(ok=False, message=exc.message, code=exc.code)
    except SecretUnreadable as exc:
        connection_health_failure(connection.pk, str(exc))
        return CheckResult(ok=False, message=str(exc), code=exc.code)
    connection_health_success(connection.pk)
    return CheckResult(ok=True, message="ok")
