import type { Connection, Connector } from "../api/connections";
import { connectionsApi, connectorsApi } from "../api/connections";
import { CONNECTION_ADMINS, useAuth } from "../app/auth";
import { Link } from "../app/router";
import { useApi } from "../app/useApi";
import { ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { ConnectorLogo, ConnectorName, FEATURES, HealthSummary, KINDS } from "./parts";

function ConnectionItem({ connection }: { connection: Connection }) {
  const { t } = useI18n();
  return (
    <li className="connection-item" data-testid={`connection-${connection.id}`}>
      <Link to={`/connections/${connection.id}`} className="connection-name">
        {connection.name}
      </Link>
      {connection.sandbox && <span className="badge">{t("conn.sandbox")}</span>}
      {!connection.enabled && <span className="badge">{t("conn.disabled")}</span>}{" "}
      <HealthSummary health={connection.health} compact />
    </li>
  );
}

function ConnectorCard({
  connector,
  connections,
  canManage,
}: {
  connector: Connector;
  connections: Connection[];
  canManage: boolean;
}) {
  const { t, pick } = useI18n();
  const features = FEATURES.filter((feature) => connector.features.includes(feature));
  return (
    <article
      className="connector-card"
      data-testid={`connector-${connector.key}`}
      aria-labelledby={`connector-${connector.key}-name`}
    >
      <header className="connector-head">
        <ConnectorLogo connector={connector} />
        <div>
          <h3 id={`connector-${connector.key}-name`}>
            <ConnectorName connector={connector} />
          </h3>
          <p className="muted">{pick(connector.description)}</p>
        </div>
        {canManage && (
          <Link
            to={`/connections/new/${connector.key}`}
            className="button primary"
            aria-label={t("add.title", { name: pick(connector.name, connector.key) })}
          >
            {t("conn.add")}
          </Link>
        )}
      </header>
      {(features.length > 0 || connector.has_sandbox) && (
        <ul className="features" aria-label={t("conn.features")}>
          {features.map((feature) => (
            <li key={feature}>{t(`conn.feature.${feature}` as MessageKey)}</li>
          ))}
          {connector.has_sandbox && <li>{t("conn.hasSandbox")}</li>}
        </ul>
      )}
      <h4>{t("conn.connections")}</h4>
      {connections.length === 0 ? (
        <p className="muted small">{t("conn.notConnected")}</p>
      ) : (
        <ul className="connection-list">
          {connections.map((connection) => (
            <ConnectionItem key={connection.id} connection={connection} />
          ))}
        </ul>
      )}
      {connector.doc && (
        <details className="connector-doc">
          <summary>{t("conn.doc")}</summary>
          <pre>{connector.doc}</pre>
        </details>
      )}
    </article>
  );
}

/** The catalog grouped by kind, each connector with its connections; the add button only for admins. */
export function Catalog({
  connectors,
  connections,
  canManage,
}: {
  connectors: Connector[];
  connections: Connection[];
  canManage: boolean;
}) {
  const { t } = useI18n();
  const known = new Set(connectors.map((connector) => connector.key));
  const orphans = connections.filter((connection) => !known.has(connection.connector));
  return (
    <>
      {KINDS.map((kind) => {
        const members = connectors.filter((connector) => connector.kind === kind);
        return (
          <section className="kind-group" key={kind} aria-labelledby={`kind-${kind}`}>
            <h2 id={`kind-${kind}`}>{t(`conn.kind.${kind}` as MessageKey)}</h2>
            {members.length === 0 ? (
              <p className="muted small">{t("conn.noConnectors")}</p>
            ) : (
              <div className="connector-grid">
                {members.map((connector) => (
                  <ConnectorCard
                    key={connector.key}
                    connector={connector}
                    connections={connections.filter((connection) => connection.connector === connector.key)}
                    canManage={canManage}
                  />
                ))}
              </div>
            )}
          </section>
        );
      })}
      {orphans.length > 0 && (
        <section className="kind-group" aria-labelledby="kind-other">
          <h2 id="kind-other">{t("conn.kind.other")}</h2>
          <ul className="connection-list">
            {orphans.map((connection) => (
              <li key={connection.id}>
                <Link to={`/connections/${connection.id}`}>{connection.name}</Link>{" "}
                <span className="muted small">{t("conn.unknownConnector", { key: connection.connector })}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

export function ConnectionsPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const canManage = can(CONNECTION_ADMINS);
  const data = useApi(async (signal) => {
    const [connectors, connections] = await Promise.all([connectorsApi.list(signal), connectionsApi.list()]);
    return { connectors, connections };
  }, []);
  return (
    <section className="page connections-page">
      <div className="page-head">
        <div>
          <h1>{t("conn.title")}</h1>
          <p className="muted">{t("conn.intro")}</p>
        </div>
        <div>
          <Link to="/order-imports" className="button" data-testid="import-link">
            {t("conn.importLink")}
          </Link>
          {!canManage && <p className="muted small">{t("common.readonly")}</p>}
        </div>
      </div>
      <ErrorNote error={data.error} onRetry={data.reload} />
      {data.loading && !data.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : (
        data.data && (
          <Catalog connectors={data.data.connectors} connections={data.data.connections} canManage={canManage} />
        )
      )}
    </section>
  );
}
