import type { Notebook, Profile, Role } from '../api-client.ts';
import { FieldError } from '../components/form-error.tsx';
import { RoleOptions } from '../components/role-options.tsx';
import { MISSED_TEXT, OVERLAP_TEXT, type ScheduleDraft } from '../schedule-form.ts';
import { ProfileField } from './run-form-page.tsx';

/** What the schedule form is drawn from: the notebook, and the profiles and roles open to the caller. */
export interface FormSource {
  notebook: Notebook;
  profiles: Profile[];
  roles: Role[];
}

/** What each section of the schedule form is given. */
export interface SectionProps {
  uid: string;
  draft: ScheduleDraft;
  set: <K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]) => void;
  errors: Record<string, string>;
}

/** Which version, on which profile, with which role, for how long. */
export const WhatFields = ({ uid, draft, set, errors, source }: SectionProps & { source: FormSource }) => {
  const latest = source.notebook.latestVersion;
  const versions = Array.from({ length: Math.min(latest, 50) }, (_, i) => latest - i);
  return (
    <fieldset className="card">
      <legend>What runs, and where</legend>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${uid}-version`}>Version</label>
          <select
            id={`${uid}-version`}
            data-field="version"
            value={draft.version}
            onChange={(e) => set('version', e.target.value)}
          >
            <option value="">Latest at each run</option>
            {versions.map((v) => (
              <option key={v} value={String(v)}>
                Version {v} only
              </option>
            ))}
          </select>
          <p className="hint">The latest is version {latest} now.</p>
        </div>
        <ProfileField
          id={`${uid}-profile`}
          profiles={source.profiles}
          value={draft.profile}
          onChange={(v) => set('profile', v)}
          error={errors.profile}
        />
        <div className="field">
          <label htmlFor={`${uid}-role`}>AWS role</label>
          <select
            id={`${uid}-role`}
            data-field="role"
            value={draft.role}
            onChange={(e) => set('role', e.target.value)}
            aria-invalid={errors.role ? true : undefined}
            aria-describedby={`${uid}-role-hint${errors.role ? ` ${uid}-role-error` : ''}`}
          >
            <RoleOptions roles={source.roles} />
          </select>
          <p id={`${uid}-role-hint`} className="hint">
            Delegated to the schedule for 90 days; each run’s kernel gets keys for it.
          </p>
          {errors.role ? <FieldError id={`${uid}-role-error`}>{errors.role}</FieldError> : null}
        </div>
        <NumberField
          id={`${uid}-timeout`}
          name="timeoutSeconds"
          label="Timeout (seconds)"
          hint="A run fails when it takes longer: 10 s to 24 h."
          value={draft.timeout}
          onChange={(v) => set('timeout', v)}
          error={errors.timeoutSeconds}
        />
      </div>
    </fieldset>
  );
};

/** Retries, what a due time does while a run is still going, what happens to due times missed, and pause. */
export const PolicyFields = ({ uid, draft, set, errors }: SectionProps) => (
  <fieldset className="card">
    <legend>Retries and overlaps</legend>
    <div className="field-row">
      <NumberField
        id={`${uid}-retries`}
        name="retries"
        label="Retries"
        hint="Times a failed run starts again, 5 minutes apart (at most 5)."
        value={draft.retries}
        onChange={(v) => set('retries', v)}
        error={errors.retries}
      />
      <div className="field">
        <label htmlFor={`${uid}-overlap`}>If the last run is still going</label>
        <select
          id={`${uid}-overlap`}
          aria-describedby={`${uid}-overlap-hint`}
          value={draft.overlap}
          onChange={(e) => set('overlap', e.target.value as ScheduleDraft['overlap'])}
        >
          {Object.entries(OVERLAP_TEXT).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
        <p id={`${uid}-overlap-hint`} className="hint">
          One run at a time: a due time that comes while one runs is skipped, or waits its turn.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${uid}-missed`}>Missed due times</label>
        <select
          id={`${uid}-missed`}
          aria-describedby={`${uid}-missed-hint`}
          value={draft.missed}
          onChange={(e) => set('missed', e.target.value as ScheduleDraft['missed'])}
        >
          {Object.entries(MISSED_TEXT).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
        <p id={`${uid}-missed-hint`} className="hint">
          Due times that passed while the schedule was paused or the platform was down.
        </p>
      </div>
    </div>
    <div className="field field-checkbox">
      <div className="checkbox-row">
        <input
          id={`${uid}-paused`}
          type="checkbox"
          checked={draft.paused}
          onChange={(e) => set('paused', e.target.checked)}
        />
        <label htmlFor={`${uid}-paused`}>Save it paused</label>
      </div>
    </div>
  </fieldset>
);

const NumberField = ({
  id,
  name,
  label,
  hint,
  value,
  onChange,
  error,
}: {
  id: string;
  name: string;
  label: string;
  hint: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
}) => (
  <div className="field">
    <label htmlFor={id}>{label}</label>
    <input
      id={id}
      data-field={name}
      type="number"
      inputMode="numeric"
      min={0}
      step={1}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={error ? true : undefined}
      aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
    />
    <p id={`${id}-hint`} className="hint">
      {hint}
    </p>
    {error ? <FieldError id={`${id}-error`}>{error}</FieldError> : null}
  </div>
);
