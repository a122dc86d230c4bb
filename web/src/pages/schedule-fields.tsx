import { useEffect, useId, useState } from 'react';
import { ApiError, type SchedulePreview } from '../api-client.ts';
import { FieldError } from '../components/form-error.tsx';
import { ErrorAlert } from '../components/states.tsx';
import {
  EXPRESSION_PRESETS,
  formatInZone,
  scheduleErrorsFromApi,
  zoneSuggestions,
  type ScheduleDraft,
} from '../schedule-form.ts';
import { useApi } from '../session-context.tsx';
import './schedule.css';

// Typing pauses this long before the preview is asked again; each new ask cancels the one in flight.
const SETTLE_MS = 400;

/** What the preview knows: the due times of the last good answer, and the problems of the last bad one. */
interface PreviewState {
  preview: SchedulePreview | null;
  problems: { expression?: string; timezone?: string };
  error: unknown;
  loading: boolean;
}

/**
 * The next five due times of an expression in a zone, asked of `GET /schedules/preview` a moment after typing
 * stops; a 400 comes back as the problem of the field it names.
 */
export const useSchedulePreview = (expression: string, timezone: string): PreviewState => {
  const api = useApi();
  const [state, setState] = useState<PreviewState>({ preview: null, problems: {}, error: null, loading: true });
  const asked = expression.trim() && timezone.trim() ? `${expression.trim()}\n${timezone.trim()}` : null;

  useEffect(() => {
    if (asked === null) {
      setState({ preview: null, problems: {}, error: null, loading: false });
      return;
    }
    const [e, z] = asked.split('\n');
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const handle = setTimeout(() => {
      api.previewSchedule({ expression: e, timezone: z, count: 5 }, controller.signal).then(
        (preview) => setState({ preview, problems: {}, error: null, loading: false }),
        (err: unknown) => {
          if (controller.signal.aborted) return;
          if (err instanceof ApiError && err.status === 400) {
            const placed = scheduleErrorsFromApi(err, []).fields;
            const problems = { expression: placed.expression, timezone: placed.timezone };
            if (problems.expression || problems.timezone)
              return setState({ preview: null, problems, error: null, loading: false });
          }
          setState({ preview: null, problems: {}, error: err, loading: false });
        },
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(handle);
      controller.abort();
    };
  }, [api, asked]);
  return state;
};

type SetDraft = <K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]) => void;

const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(' ') || undefined;

/**
 * Name, expression (with presets), zone (the browser's first among suggestions) and the live preview of the next
 * five due times in that zone. A problem the preview finds shows beside its field as soon as typing stops.
 */
export const WhenFields = ({
  draft,
  set,
  errors,
  browserZone,
}: {
  draft: ScheduleDraft;
  set: SetDraft;
  errors: Record<string, string>;
  browserZone: string;
}) => {
  const id = useId();
  const { preview, problems, error, loading } = useSchedulePreview(draft.expression, draft.timezone);
  // Once the preview answers for what is typed now, an error the submit found there is out of date.
  const expressionError = problems.expression ?? (preview ? undefined : errors.expression);
  const zoneError = problems.timezone ?? (preview ? undefined : errors.timezone);
  return (
    <fieldset className="card">
      <legend>When</legend>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          data-field="name"
          value={draft.name}
          maxLength={100}
          onChange={(e) => set('name', e.target.value)}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describedBy(errors.name && `${id}-name-error`)}
        />
        {errors.name ? <FieldError id={`${id}-name-error`}>{errors.name}</FieldError> : null}
      </div>
      <div className="field-row schedule-when">
        <div className="field">
          <label htmlFor={`${id}-expression`}>Expression</label>
          <input
            id={`${id}-expression`}
            data-field="expression"
            className="mono"
            value={draft.expression}
            maxLength={256}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => set('expression', e.target.value)}
            aria-invalid={expressionError ? true : undefined}
            aria-describedby={describedBy(`${id}-expression-hint`, expressionError && `${id}-expression-error`)}
          />
          <p id={`${id}-expression-hint`} className="hint">
            EventBridge Scheduler syntax: <code>cron(minutes hours day-of-month month day-of-week year)</code> with{' '}
            <code>?</code> in one of the day fields, or <code>rate(30 minutes)</code>.
          </p>
          {expressionError ? <FieldError id={`${id}-expression-error`}>{expressionError}</FieldError> : null}
          <div className="presets" role="group" aria-label="Presets">
            {EXPRESSION_PRESETS.map((p) => (
              <button
                key={p.label}
                type="button"
                className="secondary small-button"
                aria-pressed={draft.expression.trim() === p.expression}
                onClick={() => set('expression', p.expression)}
              >
                {p.label}
              </button>
            ))}
          </div>
        </div>
        <div className="field field-zone">
          <label htmlFor={`${id}-zone`}>Time zone</label>
          <input
            id={`${id}-zone`}
            data-field="timezone"
            list={`${id}-zones`}
            value={draft.timezone}
            maxLength={64}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => set('timezone', e.target.value)}
            aria-invalid={zoneError ? true : undefined}
            aria-describedby={describedBy(`${id}-zone-hint`, zoneError && `${id}-zone-error`)}
          />
          <datalist id={`${id}-zones`}>
            {zoneSuggestions(browserZone).map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <p id={`${id}-zone-hint`} className="hint">
            An IANA zone; the expression’s hours are read there, daylight saving included. Yours is {browserZone}.
          </p>
          {zoneError ? <FieldError id={`${id}-zone-error`}>{zoneError}</FieldError> : null}
        </div>
      </div>
      <section className="schedule-preview" aria-labelledby={`${id}-preview`} aria-busy={loading}>
        <h3 id={`${id}-preview`}>Next due times</h3>
        <div aria-live="polite">
          {preview ? (
            <ol className="due-list">
              {preview.due.map((iso) => (
                <li key={iso}>
                  <time dateTime={iso}>{formatInZone(iso, preview.timezone)}</time>
                </li>
              ))}
            </ol>
          ) : error ? (
            <ErrorAlert error={error} title="The preview could not be computed" size="inline" />
          ) : (
            <p className="muted">
              {loading ? 'Working out the next due times…' : 'Fix the expression or zone to see when it runs.'}
            </p>
          )}
          {preview ? <p className="hint">In {preview.timezone}.</p> : null}
        </div>
      </section>
    </fieldset>
  );
};

/** The destinations an admin named (null while loading; none when the list cannot be read). */
const useDestinations = (): string[] | null => {
  const api = useApi();
  const [names, setNames] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    api
      .listNotifyDestinations()
      .then((r) => live && setNames(r.items.map((d) => d.name)))
      .catch(() => live && setNames([]));
    return () => {
      live = false;
    };
  }, [api]);
  return names;
};

/** Who hears what: failures (on by default), successes, long runs (set or learned), the digest, and where. */
export const NotifyFields = ({
  draft,
  set,
  errors,
}: {
  draft: ScheduleDraft;
  set: SetDraft;
  errors: Record<string, string>;
}) => {
  const id = useId();
  const destinations = useDestinations();
  const box = (key: 'onFailure' | 'onSuccess' | 'learnedDuration' | 'digest', label: string, hint?: string) => (
    <div className="field field-checkbox">
      <div className="checkbox-row">
        <input
          id={`${id}-${key}`}
          type="checkbox"
          checked={draft[key]}
          onChange={(e) => set(key, e.target.checked)}
          aria-describedby={hint ? `${id}-${key}-hint` : undefined}
        />
        <label htmlFor={`${id}-${key}`}>{label}</label>
      </div>
      {hint ? (
        <p id={`${id}-${key}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
  return (
    <fieldset className="card">
      <legend>Notifications</legend>
      <div className="notify-grid">
        <div>
          {box('onFailure', 'When a run fails', 'Or when a due time cannot start a run.')}
          {box('onSuccess', 'When a run succeeds')}
          {box(
            'learnedDuration',
            'When a run takes longer than usual',
            'Longer than 95% of the notebook’s last 20 successful runs.',
          )}
          {box('digest', 'A daily digest', 'Yesterday’s runs of your schedules, failures first.')}
        </div>
        <div>
          <div className="field">
            <label htmlFor={`${id}-longer`}>When a run takes longer than (minutes)</label>
            <input
              id={`${id}-longer`}
              data-field="longerThanMinutes"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              value={draft.longerThanMinutes}
              onChange={(e) => set('longerThanMinutes', e.target.value)}
              aria-invalid={errors.longerThanMinutes ? true : undefined}
              aria-describedby={describedBy(`${id}-longer-hint`, errors.longerThanMinutes && `${id}-longer-error`)}
            />
            <p id={`${id}-longer-hint`} className="hint">
              Empty: no limit.
            </p>
            {errors.longerThanMinutes ? (
              <FieldError id={`${id}-longer-error`}>{errors.longerThanMinutes}</FieldError>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={`${id}-destination`}>Destination</label>
            <select
              id={`${id}-destination`}
              data-field="destination"
              value={draft.destination}
              onChange={(e) => set('destination', e.target.value)}
              aria-invalid={errors.destination ? true : undefined}
              aria-describedby={describedBy(`${id}-destination-hint`, errors.destination && `${id}-destination-error`)}
            >
              <option value="">The platform’s default</option>
              {(destinations ?? []).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <p id={`${id}-destination-hint`} className="hint">
              {destinations?.length === 0
                ? 'No destinations are set up here: notices are kept in the delivery log only.'
                : 'A Slack channel or webhook your platform team named.'}
            </p>
            {errors.destination ? <FieldError id={`${id}-destination-error`}>{errors.destination}</FieldError> : null}
          </div>
        </div>
      </div>
    </fieldset>
  );
};
