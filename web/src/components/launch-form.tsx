import { useId, useState, type FormEvent } from 'react';
import type { Profile, Role } from '../api-client.ts';
import { formatDuration, formatHourlyPrice, formatMemoryQuantity, profileLabel } from '../format.ts';
import { RoleOptions } from './role-options.tsx';
import { SparkPreviewSection } from './spark-preview.tsx';
import { FieldError } from './form-error.tsx';
import { ErrorAlert, Loading } from './states.tsx';

const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** Why a server name is refused before asking the API, or null when it is fine. */
export const serverNameProblem = (name: string): string | null =>
  !name
    ? 'Give the server a name.'
    : NAME_PATTERN.test(name)
      ? null
      : 'Use 1–32 lowercase letters, digits and inner dashes (e.g. analysis-1).';

/** What a profile gives you, shown before launching. */
const ProfileFacts = ({ profile }: { profile: Profile }) => (
  <dl className="facts" aria-label={`${profile.displayName} resources`}>
    <dt>CPU</dt>
    <dd>
      {profile.cpu.request} (limit {profile.cpu.limit})
    </dd>
    <dt>Memory</dt>
    <dd>
      {formatMemoryQuantity(profile.memory.request)} (limit {formatMemoryQuantity(profile.memory.limit)})
    </dd>
    <dt>GPUs</dt>
    <dd>{profile.gpus}</dd>
    <dt>Hourly price</dt>
    <dd>{formatHourlyPrice(profile.hourlyPrice)}</dd>
    <dt>Pool</dt>
    <dd>{profile.pool}</dd>
    <dt>Stops when idle for</dt>
    <dd>{formatDuration(profile.idleTimeoutSeconds)}</dd>
  </dl>
);

/**
 * Launch a server: name, profile (resources and price shown first), AWS role, button "Launch server"; for a profile
 * whose servers may start Spark, the Spark preview below.
 */
export const LaunchForm = ({
  profiles,
  profilesError,
  onRetryProfiles,
  roles,
  onLaunch,
}: {
  profiles: Profile[] | undefined;
  profilesError: unknown;
  onRetryProfiles: () => void;
  /** The caller's AWS roles; undefined while loading (the picker then offers only "No AWS role"). */
  roles: Role[] | undefined;
  onLaunch: (name: string, profile: string, role: string | null) => Promise<void>;
}) => {
  const id = useId();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [role, setRole] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const chosen = profiles?.find((p) => p.slug === slug) ?? profiles?.[0];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = serverNameProblem(name);
    setNameError(problem);
    setError(null);
    if (problem) {
      document.getElementById(`${id}-name`)?.focus();
      return;
    }
    if (!chosen) return;
    setBusy(true);
    try {
      await onLaunch(name, chosen.slug, role || null);
      setName('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Launch a server</h2>
      <form onSubmit={submit} noValidate>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-name`}>Server name</label>
            <input
              id={`${id}-name`}
              value={name}
              onChange={(e) => setName(e.target.value.trim())}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={`${id}-name-hint${nameError ? ` ${id}-name-error` : ''}`}
            />
            <span id={`${id}-name-hint`} className="hint">
              Lowercase letters, digits and dashes, e.g. <code>analysis</code>.
            </span>
            {nameError ? (
              <FieldError id={`${id}-name-error`} announce>
                {nameError}
              </FieldError>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={`${id}-profile`}>Profile</label>
            <select
              id={`${id}-profile`}
              value={chosen?.slug ?? ''}
              onChange={(e) => setSlug(e.target.value)}
              disabled={!profiles?.length}
            >
              {!profiles ? <option value="">Loading profiles…</option> : null}
              {profiles?.length === 0 ? <option value="">No profiles available to you</option> : null}
              {profiles?.map((p) => (
                <option key={p.slug} value={p.slug}>
                  {profileLabel(p)}
                </option>
              ))}
            </select>
            {chosen ? <span className="hint">{chosen.description}</span> : null}
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>AWS role</label>
            <select
              id={`${id}-role`}
              value={role}
              onChange={(e) => setRole(e.target.value)}
              aria-describedby={`${id}-role-hint`}
            >
              <RoleOptions roles={roles} />
            </select>
            <span id={`${id}-role-hint`} className="hint">
              Its notebooks get keys for this role that refresh themselves; you can switch it later.
            </span>
          </div>
        </div>
        <div className="profile-facts">
          {profilesError ? (
            <ErrorAlert
              error={profilesError}
              title="Profiles could not be loaded"
              onRetry={onRetryProfiles}
              size="inline"
            />
          ) : chosen ? (
            <ProfileFacts profile={chosen} />
          ) : profiles ? (
            <p className="muted">Ask an admin for a profile.</p>
          ) : (
            <Loading size="inline" label="Loading profiles…" />
          )}
        </div>
        {error ? <ErrorAlert error={error} size="inline" title="The server did not launch" /> : null}
        <div className="actions">
          <button type="submit" disabled={busy || !chosen}>
            Launch server
          </button>
          {busy ? <span role="status">Launching…</span> : null}
        </div>
      </form>
      {chosen?.spark ? <SparkPreviewSection key={chosen.slug} profile={chosen} /> : null}
    </section>
  );
};
