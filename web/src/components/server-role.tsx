import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Role, Server } from '../api-client.ts';
import { RoleOptions } from './role-options.tsx';
import { ErrorAlert } from './states.tsx';

/**
 * A server's AWS role in its row: the role's name, and for a launching or running server a small select with Save
 * that switches it without a relaunch (its credentials sidecar picks the new role up on its next refresh).
 */
export const ServerRole = ({
  server,
  roles,
  onSave,
}: {
  server: Server;
  roles: Role[] | undefined;
  onSave: (name: string, role: string | null) => Promise<void>;
}) => {
  const id = useId();
  const current = server.role ?? '';
  const [chosen, setChosen] = useState(current);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // A refresh that brings another role (switched elsewhere) resets the select to it.
  useEffect(() => setChosen(current), [current]);

  const editable = (server.status === 'PENDING' || server.status === 'RUNNING') && roles !== undefined;
  if (!editable) return <>{server.role ?? <span className="muted">None</span>}</>;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await onSave(server.name, chosen || null);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="server-role" onSubmit={submit}>
      <select
        id={`${id}-role`}
        aria-label={`AWS role of ${server.name}`}
        value={chosen}
        onChange={(e) => {
          setChosen(e.target.value);
          setSaved(false);
        }}
      >
        {/* Names only, to keep the row narrow. */}
        <RoleOptions roles={roles} current={current} label={(r) => r.name} />
      </select>
      <button type="submit" className="secondary" disabled={busy || chosen === current}>
        Save<span className="visually-hidden"> role of {server.name}</span>
      </button>
      <span className="small muted" role="status">
        {saved ? 'Saved' : ''}
      </span>
      {error ? <ErrorAlert error={error} size="inline" /> : null}
    </form>
  );
};
