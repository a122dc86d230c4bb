import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, type CredentialIssue, type IssuedCredentials, type Role } from '../api-client.ts';
import { DataTable } from '../components/data-table.tsx';
import { CredentialKeys } from '../components/credential-keys.tsx';
import { FieldError } from '../components/form-error.tsx';
import { EmptyState, ErrorAlert, Loading } from '../components/states.tsx';
import {
  absoluteApiUrl,
  defaultMinutes,
  durationProblem,
  maxMinutes,
  MIN_SESSION_SECONDS,
} from '../credential-text.ts';
import { formatDateTime, formatDuration, roleLabel } from '../format.ts';
import { useApi, useSession } from '../session-context.tsx';
import { useAsync, useUnmountSignal } from '../use-async.ts';
import { useCursorList } from '../use-cursor-list.ts';

const LOG_PAGE = 10;

/** `/credentials`: your AWS roles, short-lived keys for one of them, and the keys issued to you lately. */
export const CredentialsPage = () => {
  const api = useApi();
  const roles = useAsync(() => api.listRoles().then((r) => r.items), [api]);
  const [keys, setKeys] = useState<IssuedCredentials | null>(null);
  // Bumped after each issue, so the log below shows the new entry.
  const [issued, setIssued] = useState(0);
  const apiUrl = absoluteApiUrl(useSession().config?.apiUrl ?? '/api', window.location.origin);
  return (
    <>
      <h1>Credentials</h1>
      <p className="muted">
        Short-lived AWS keys for the roles your team holds. Every issue is recorded, and CloudTrail shows your user id
        as the source identity of each call made with them.
      </p>
      {roles.error ? (
        <ErrorAlert error={roles.error} title="Your roles could not be loaded" onRetry={() => roles.reload()} />
      ) : !roles.data ? (
        <Loading size="page" />
      ) : roles.data.length === 0 ? (
        <EmptyState>
          <p>You hold no AWS roles</p>
          <p className="small">
            Roles come from the platform's role registry, granted to teams or users. Ask your platform team to add your
            team to the role you need.
          </p>
        </EmptyState>
      ) : (
        <>
          <RoleTable roles={roles.data} />
          <IssueForm
            roles={roles.data}
            onIssued={(k) => {
              setKeys(k);
              setIssued((n) => n + 1);
            }}
          />
        </>
      )}
      {keys ? <CredentialKeys keys={keys} apiUrl={apiUrl} /> : null}
      {/* Below the roles only once they are in: nothing under a loading state moves when it fills. */}
      {roles.data || roles.error ? (
        <>
          <h2>Your recent credentials</h2>
          <CredentialLog refresh={issued} />
        </>
      ) : null}
    </>
  );
};

const RoleTable = ({ roles }: { roles: Role[] }) => (
  <DataTable
    name="Your AWS roles"
    columns={['Role', 'Account', 'Environment', { label: 'Maximum duration', num: true }, 'Description']}
    rows={roles}
    row={(r) => (
      <tr key={r.name}>
        <th scope="row">{r.name}</th>
        <td>{r.account}</td>
        <td>
          <span className={`badge badge-env-${r.environment}`}>{r.environment}</span>
        </td>
        <td className="num">{formatDuration(r.maxSessionSeconds)}</td>
        <td>{r.description || <span className="muted">—</span>}</td>
      </tr>
    )}
  />
);

/** The answer of a platform that cannot reach AWS: what to set, in local mode; whom to tell, in the cloud. */
const BrokerUnavailable = ({ error }: { error: ApiError }) => {
  const local = useSession().config?.auth.mode === 'local';
  return (
    <div className="state state-inline state-error" role="alert">
      <p>
        <strong>The platform cannot get keys from AWS: </strong>
        {error.message}
      </p>
      {local ? (
        <p>
          Restart <code>npm start</code> with AWS credentials in its environment: <code>AWS_PROFILE</code>, or{' '}
          <code>AWS_ACCESS_KEY_ID</code> and <code>AWS_SECRET_ACCESS_KEY</code>; add <code>AWS_ENDPOINT_URL_STS</code>{' '}
          to use an STS-compatible endpoint other than AWS.
        </p>
      ) : (
        <p>Tell your platform team: Orrery's credentials function could not reach AWS STS.</p>
      )}
      {error.requestId ? (
        <p className="small">
          Request id: <code>{error.requestId}</code>
        </p>
      ) : null}
    </div>
  );
};

/** Role and duration (minutes, within the role's bounds), then *Get credentials*. */
const IssueForm = ({ roles, onIssued }: { roles: Role[]; onIssued: (keys: IssuedCredentials) => void }) => {
  const api = useApi();
  const id = useId();
  const signal = useUnmountSignal();
  const [name, setName] = useState(roles[0]!.name);
  const role = roles.find((r) => r.name === name) ?? roles[0]!;
  const [minutes, setMinutes] = useState(String(defaultMinutes(role.maxSessionSeconds)));
  const [durationError, setDurationError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const choose = (next: string) => {
    setName(next);
    const chosen = roles.find((r) => r.name === next);
    if (chosen) setMinutes(String(defaultMinutes(chosen.maxSessionSeconds)));
    setDurationError(null);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const problem = durationProblem(minutes, role.maxSessionSeconds);
    setDurationError(problem);
    if (problem) {
      document.getElementById(`${id}-duration`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const keys = await api.issueCredentials({ role: role.name, durationSeconds: Number(minutes) * 60 });
      if (!signal().aborted) onIssued(keys);
    } catch (err) {
      if (signal().aborted) return;
      // A duration the role's own IAM limit refuses comes back as a 400: it belongs beside the field.
      if (err instanceof ApiError && err.status === 400) {
        setDurationError(err.message);
        document.getElementById(`${id}-duration`)?.focus();
      } else setError(err);
    } finally {
      if (!signal().aborted) setBusy(false);
    }
  };

  return (
    <section className="card credential-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Get credentials</h2>
      <form onSubmit={submit} noValidate>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select id={`${id}-role`} value={role.name} onChange={(e) => choose(e.target.value)}>
              {roles.map((r) => (
                <option key={r.name} value={r.name}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-duration`}>Duration in minutes</label>
            <input
              id={`${id}-duration`}
              type="number"
              inputMode="numeric"
              min={MIN_SESSION_SECONDS / 60}
              max={maxMinutes(role.maxSessionSeconds)}
              step={1}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              aria-invalid={durationError ? true : undefined}
              aria-describedby={`${id}-duration-hint${durationError ? ` ${id}-duration-error` : ''}`}
            />
            <span id={`${id}-duration-hint`} className="hint">
              {MIN_SESSION_SECONDS / 60} to {maxMinutes(role.maxSessionSeconds)} minutes for {role.name} (at most{' '}
              {formatDuration(role.maxSessionSeconds)}).
            </span>
            {durationError ? (
              <FieldError id={`${id}-duration-error`} announce>
                {durationError}
              </FieldError>
            ) : null}
          </div>
        </div>
        {error instanceof ApiError && error.status === 503 ? (
          <BrokerUnavailable error={error} />
        ) : error ? (
          <ErrorAlert error={error} size="inline" title="No keys were issued" />
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Get credentials
          </button>
          {busy ? <span role="status">Asking AWS…</span> : null}
        </div>
      </form>
    </section>
  );
};

const PURPOSES: Record<CredentialIssue['purpose'], string> = {
  interactive: 'This page or the helper',
  server: 'A server',
  spark: "A server's Spark executors",
  run: 'A run',
};

/** The credentials issued to you, newest first, LOG_PAGE at a time with *More*. */
const CredentialLog = ({ refresh }: { refresh: number }) => {
  const api = useApi();
  const log = useCursorList((cursor) => api.listCredentialLog({ cursor, limit: LOG_PAGE }), [api]);
  const { page, reset } = log;
  const { reload } = page;
  useEffect(() => {
    if (refresh === 0) return;
    reset();
    reload(true);
  }, [refresh, reset, reload]);

  if (page.error && !page.data)
    return <ErrorAlert error={page.error} title="Your credential log could not be loaded" onRetry={() => reload()} />;
  if (log.empty) return <Loading />;
  const issues = log.items;
  return (
    <>
      <DataTable
        name="Your recent credentials"
        hideName
        columns={['Issued', 'Role', 'Account', 'For', { label: 'Duration', num: true }, 'Expires']}
        rows={issues}
        busy={page.loading}
        empty="No credentials issued to you yet"
        row={(c) => (
          <tr key={c.id}>
            <td>{formatDateTime(c.issuedAt)}</td>
            <th scope="row">{c.role}</th>
            <td>{c.account}</td>
            <td>
              {PURPOSES[c.purpose] ?? c.purpose}
              {c.serverId || c.runId ? <div className="small muted">{c.serverId ?? c.runId}</div> : null}
            </td>
            <td className="num">{formatDuration(c.durationSeconds)}</td>
            <td>{formatDateTime(c.expiration)}</td>
          </tr>
        )}
      />
      {page.error ? <ErrorAlert error={page.error} size="inline" title="Loading more failed" /> : null}
      {page.data?.nextCursor ? (
        <div className="pager">
          <button type="button" className="secondary" disabled={page.loading} onClick={log.more}>
            {page.loading ? 'Loading…' : 'More'}
          </button>
        </div>
      ) : null}
    </>
  );
};
