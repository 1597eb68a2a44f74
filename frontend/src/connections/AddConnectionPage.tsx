import { useMemo, useState, type FormEvent } from "react";
import { connectionsApi, connectorsApi, type Connector } from "../api/connections";
import { CONNECTION_ADMINS, useAuth } from "../app/auth";
import { Link, navigate } from "../app/router";
import { useApi } from "../app/useApi";
import { ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import { ConnectorLogo, ConnectorName } from "./parts";
import { GroupError, SchemaFields } from "./SchemaFields";
import {
  credentialsPayload,
  fieldErrorText,
  fieldsOf,
  hasErrors,
  initialValues,
  onForm,
  serverErrors,
  settingsPayload,
  untouched,
  validateFields,
  validateField,
  type FieldError,
  type FieldErrors,
  type FieldSpec,
  type FieldValue,
  type FieldValues,
} from "./schemaForm";

/** The connection's own name, checked like a schema field (ConnectionCreateSerializer: max 100). */
const NAME_FIELD: FieldSpec = {
  name: "name",
  title: { en: "", zh: "" },
  secret: false,
  required: true,
  maxLength: 100,
};

/** The "Add connection" form of one connector, drawn from its credentials and settings schemas. */
export function AddConnectionForm({ connector, onCreated }: { connector: Connector; onCreated: (id: number) => void }) {
  const { t, pick } = useI18n();
  const credentialFields = useMemo(() => fieldsOf(connector.credentials_schema, connector.secret_fields), [connector]);
  const settingFields = useMemo(() => fieldsOf(connector.settings_schema), [connector]);
  const [name, setName] = useState("");
  const [sandbox, setSandbox] = useState(false);
  const [enabled, setEnabled] = useState(true);
  const [credentials, setCredentials] = useState<FieldValues>(() => initialValues(credentialFields));
  const [settings, setSettings] = useState<FieldValues>(() => initialValues(settingFields));
  const [nameError, setNameError] = useState<FieldError | null>(null);
  const [credentialErrors, setCredentialErrors] = useState<FieldErrors>({});
  const [settingErrors, setSettingErrors] = useState<FieldErrors>({});
  const [groupErrors, setGroupErrors] = useState<{ credentials?: FieldError; settings?: FieldError }>({});
  const [formError, setFormError] = useState<string[]>([]);
  const [failure, setFailure] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);
  const useSandbox = sandbox && connector.has_sandbox;

  const changeCredential = (field: string, value: FieldValue) => {
    setCredentials((values) => ({ ...values, [field]: value }));
    setCredentialErrors(({ [field]: _dropped, ...rest }) => rest);
  };
  const changeSetting = (field: string, value: FieldValue) => {
    setSettings((values) => ({ ...values, [field]: value }));
    setSettingErrors(({ [field]: _dropped, ...rest }) => rest);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setFormError([]);
    setGroupErrors({});
    const trimmed = name.trim();
    const checks = {
      name: validateField(NAME_FIELD, trimmed),
      credentials: validateFields(credentialFields, credentials, useSandbox),
      settings: validateFields(settingFields, settings),
    };
    setNameError(checks.name);
    setCredentialErrors(checks.credentials);
    setSettingErrors(checks.settings);
    if (checks.name || hasErrors(checks.credentials) || hasErrors(checks.settings)) {
      setFormError([t("add.fixErrors")]);
      return;
    }
    setSaving(true);
    try {
      const created = await connectionsApi.create({
        connector: connector.key,
        name: trimmed,
        credentials: credentialsPayload(credentialFields, credentials, useSandbox),
        settings: settingsPayload(settingFields, settings),
        sandbox: useSandbox,
        enabled,
      });
      onCreated(created.id);
    } catch (reason) {
      const found = serverErrors(reason, credentialFields, settingFields);
      const onFields = onForm(found);
      setNameError(found.name ?? null);
      setCredentialErrors(found.credentials);
      setSettingErrors(found.settings);
      setGroupErrors(found.groups);
      setFormError([...(onFields ? [t("add.fixErrors")] : []), ...found.other]);
      if (!onFields && found.other.length === 0) setFailure(reason as Error);
    } finally {
      setSaving(false);
    }
  };

  const title = t("add.title", { name: pick(connector.name, connector.key) });
  return (
    <form className="connection-form" onSubmit={(e) => void submit(e)} noValidate aria-label={title}>
      {formError.length > 0 && (
        <div className="error-note" role="alert">
          {formError.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}
      <ErrorNote error={failure} />
      <div className={`field${nameError ? " invalid" : ""}`}>
        <label htmlFor="connection-name">
          <span>
            {t("add.name")}
            <span className="required-mark" aria-hidden="true">
              {" "}
              *
            </span>
          </span>
        </label>
        <input
          id="connection-name"
          value={name}
          placeholder={t("add.namePlaceholder")}
          aria-required="true"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? "connection-name-error" : undefined}
          onChange={(e) => {
            setName(e.target.value);
            setNameError(null);
          }}
        />
        {nameError && (
          <p className="field-error" id="connection-name-error" role="alert">
            {fieldErrorText(nameError, t)}
          </p>
        )}
      </div>
      {connector.has_sandbox && (
        <div className="field">
          <label className="check switch">
            <input
              type="checkbox"
              role="switch"
              checked={sandbox}
              onChange={(e) => {
                setSandbox(e.target.checked);
                setCredentialErrors({});
              }}
            />
            {t("add.useSandbox")}
          </label>
          {sandbox && <p className="field-hint">{t("add.sandboxHint")}</p>}
        </div>
      )}
      <fieldset>
        <legend>{t("add.credentials")}</legend>
        <GroupError id="credentials-error" error={groupErrors.credentials} />
        <SchemaFields
          idPrefix="credentials"
          fields={credentialFields}
          values={credentials}
          errors={credentialErrors}
          optional={useSandbox && untouched(credentialFields, credentials)}
          onChange={changeCredential}
        />
      </fieldset>
      {settingFields.length > 0 && (
        <fieldset>
          <legend>{t("add.settings")}</legend>
          <GroupError id="settings-error" error={groupErrors.settings} />
          <SchemaFields
            idPrefix="settings"
            fields={settingFields}
            values={settings}
            errors={settingErrors}
            onChange={changeSetting}
          />
        </fieldset>
      )}
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        {t("add.enabled")}
      </label>
      <div className="toolbar">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? t("add.saving") : t("add.submit")}
        </button>
        <Link to="/connections" className="button">
          {t("common.cancel")}
        </Link>
      </div>
    </form>
  );
}

export function AddConnectionPage({ connectorKey }: { connectorKey: string }) {
  const { t, pick } = useI18n();
  const { can } = useAuth();
  const connectors = useApi((signal) => connectorsApi.list(signal), []);
  const connector = connectors.data?.find((item) => item.key === connectorKey);
  return (
    <section className="page narrow">
      <p>
        <Link to="/connections">← {t("add.back")}</Link>
      </p>
      <ErrorNote error={connectors.error} onRetry={connectors.reload} />
      {!can(CONNECTION_ADMINS) ? (
        <p className="error-note">{t("add.forbidden")}</p>
      ) : connectors.loading && !connectors.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : !connector ? (
        connectors.data && <p className="error-note">{t("add.unknownConnector", { key: connectorKey })}</p>
      ) : (
        <>
          <div className="page-head">
            <h1 className="connector-title">
              <ConnectorLogo connector={connector} />
              {t("add.title", { name: pick(connector.name, connector.key) })}
            </h1>
          </div>
          <p className="muted">
            <ConnectorName connector={connector} /> · {pick(connector.description)}
          </p>
          <AddConnectionForm connector={connector} onCreated={(id) => navigate(`/connections/${id}`)} />
        </>
      )}
    </section>
  );
}
