import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import type { ApiClient, ApiError, Notebook, Parameters, Profile, Role, Run } from '../api-client.ts';
import { FieldError, FormError } from '../components/form-error.tsx';
import { isNotFound, Loading, NotFoundState, PageLoadError } from '../components/states.tsx';
import { RoleOptions } from '../components/role-options.tsx';
import { profileLabel } from '../format.ts';
import {
  fieldErrorsFromApi,
  fieldsFor,
  initialValues,
  readValues,
  toRequestParameters,
  type FieldSpec,
  type FormValues,
} from '../parameter-form.ts';
import { useApi } from '../session-context.tsx';
import { useAsync } from '../use-async.ts';
import { type FieldErrors, useFieldErrors } from '../use-field-errors.ts';
import { ParameterField } from './parameter-field.tsx';
import './run.css';

// The API's bounds on timeoutSeconds (functions/src/contracts/run-schemas.ts) and its default.
const TIMEOUT = { min: 10, max: 86_400, default: 3600 };

interface FormSource {
  notebook: Notebook;
  parameters: Parameters;
  profiles: Profile[];
  /** The caller's AWS roles, for the role picker. */
  roles: Role[];
  /** Set for a rerun: the run whose inputs the form starts from. */
  earlier: Run | null;
}

/** Loads what the form needs, for `/notebooks/:id/run?version=` or `/runs/:id/rerun`. */
const loadSource = async (
  api: ApiClient,
  rerun: boolean,
  id: string,
  version: number | undefined,
): Promise<FormSource> => {
  const earlier = rerun ? await api.getRun(id) : null;
  const notebookId = earlier?.notebookId ?? id;
  const [notebook, parameters, profiles, roles] = await Promise.all([
    api.getNotebook(notebookId),
    api.getParameters(notebookId, earlier?.version ?? version),
    api.listProfiles(),
    api.listRoles(),
  ]);
  return { notebook, parameters, profiles: profiles.items, roles: roles.items, earlier };
};

/** The run form: one field per inferred parameter, profile and timeout; also the rerun form, prefilled from a run. */
export const RunFormPage = () => {
  const { id = '' } = useParams();
  const rerun = useLocation().pathname.endsWith('/rerun');
  const [query] = useSearchParams();
  const asked = Number(query.get('version'));
  const version = Number.isInteger(asked) && asked > 0 ? asked : undefined;
  const api = useApi();
  const source = useAsync(() => loadSource(api, rerun, id, version), [rerun, id, version]);

  if (isNotFound(source.error)) {
    return rerun ? (
      <NotFoundState what="Run" back={{ to: '/runs', text: 'Back to your runs' }} />
    ) : (
      <NotFoundState what="Notebook" back={{ to: '/notebooks', text: 'Back to Folium' }} />
    );
  }
  if (source.error)
    return (
      <PageLoadError
        heading={rerun ? 'Rerun' : 'Run a notebook'}
        error={source.error}
        title="The run form could not be prepared"
        onRetry={() => source.reload()}
      />
    );
  if (!source.data) return <Loading size="page" label="Loading the run form…" />;
  return <RunForm key={`${rerun}:${id}:${version}`} source={source.data} />;
};

type Errors = FieldErrors;

const RunForm = ({ source }: { source: FormSource }) => {
  const api = useApi();
  const navigate = useNavigate();
  const uid = useId();
  const { notebook, parameters, profiles, roles, earlier } = source;
  const fields = useMemo(() => fieldsFor(parameters.parameters, earlier?.parameters ?? {}), [parameters, earlier]);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [profile, setProfile] = useState(earlier?.profile ?? profiles[0]?.slug ?? '');
  const [timeout, setTimeoutText] = useState(String(earlier?.timeoutSeconds ?? TIMEOUT.default));
  const [role, setRole] = useState(earlier?.role ?? '');
  const order = [...fields.map((f) => f.name), 'profile', 'role', 'timeoutSeconds'];
  const { form, errors, setErrors, general, setGeneral, focusFirstError, showRefusal } = useFieldErrors(order);
  const [submitting, setSubmitting] = useState(false);
  // One key per form: a double submit, or a retry after a lost answer, returns the same run instead of a second one.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (submitting) return;
    const read = readValues(fields, values);
    const found: Errors = { ...read.errors };
    const seconds = Number(timeout);
    if (!/^\d+$/.test(timeout.trim()) || seconds < TIMEOUT.min || seconds > TIMEOUT.max)
      found.timeoutSeconds = `A whole number of seconds from ${TIMEOUT.min} to ${TIMEOUT.max} (24 h).`;
    if (!profile) found.profile = 'Choose a profile.';
    setErrors(found);
    setGeneral([]);
    if (Object.keys(found).length) return focusFirstError(found);
    setSubmitting(true);
    const body = {
      parameters: toRequestParameters(read.parameters),
      profile,
      timeoutSeconds: seconds,
      idempotencyKey,
      // A rerun says "none" explicitly, or it would keep the earlier run's role.
      ...(role ? { role } : earlier ? { role: null } : {}),
    };
    try {
      const run = earlier
        ? await api.rerunRun(earlier.id, body)
        : await api.startRun(notebook.id, { ...body, version: parameters.version });
      navigate(`/runs/${run.id}`);
    } catch (err) {
      setSubmitting(false);
      showRefusal(err as ApiError, (error) => fieldErrorsFromApi(error, order));
    }
  };

  const errorCount = Object.keys(errors).length;
  return (
    <>
      <h1>Run {notebook.title}</h1>
      <p className="muted">
        {earlier ? (
          <>
            Rerun of <Link to={`/runs/${earlier.id}`}>run {earlier.id}</Link> with changes, version {earlier.version}.
            Only what you change is sent; the rest stays as in that run.
          </>
        ) : (
          <>
            Version {parameters.version} of <Link to={`/notebooks/${notebook.id}`}>{notebook.title}</Link>. Fields you
            leave as they are keep the notebook’s defaults.
          </>
        )}
      </p>
      <form ref={form} className="run-form" onSubmit={submit} noValidate>
        <FormError
          messages={[
            ...(errorCount > 0
              ? [
                  `${errorCount === 1 ? 'One field needs' : `${errorCount} fields need`} ` +
                    'a change before the run can start.',
                ]
              : []),
            ...general,
          ]}
        />
        <fieldset className="card">
          <legend>Parameters</legend>
          {fields.length === 0 ? (
            <p className="muted">This notebook has no parameters cell; it runs as it is.</p>
          ) : null}
          {fields.map((field: FieldSpec) => (
            <ParameterField
              key={field.name}
              field={field}
              value={values[field.name] ?? field.initial}
              error={errors[field.name]}
              onChange={(value) => setValues((v) => ({ ...v, [field.name]: value }))}
            />
          ))}
        </fieldset>
        <fieldset className="card">
          <legend>Where and how long</legend>
          <div className="field-row">
            <ProfileField
              id={`${uid}-profile`}
              profiles={profiles}
              value={profile}
              onChange={setProfile}
              error={errors.profile}
            />
            <RoleField
              id={`${uid}-role`}
              roles={roles}
              value={role}
              onChange={setRole}
              error={errors.role}
              kept={earlier?.role ?? null}
            />
            <div className="field">
              <label htmlFor={`${uid}-timeout`}>Timeout (seconds)</label>
              <input
                id={`${uid}-timeout`}
                data-field="timeoutSeconds"
                type="number"
                inputMode="numeric"
                min={TIMEOUT.min}
                max={TIMEOUT.max}
                step={1}
                value={timeout}
                onChange={(e) => setTimeoutText(e.target.value)}
                aria-invalid={errors.timeoutSeconds ? true : undefined}
                aria-describedby={`${uid}-timeout-hint${errors.timeoutSeconds ? ` ${uid}-timeout-error` : ''}`}
              />
              <p id={`${uid}-timeout-hint`} className="hint">
                The run fails when it takes longer: {TIMEOUT.min} s to 24 h.
              </p>
              {errors.timeoutSeconds ? (
                <FieldError id={`${uid}-timeout-error`}>{errors.timeoutSeconds}</FieldError>
              ) : null}
            </div>
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={submitting}>
            {submitting ? 'Starting…' : 'Start run'}
          </button>
          <Link to={earlier ? `/runs/${earlier.id}` : `/notebooks/${notebook.id}`}>Cancel</Link>
        </div>
      </form>
    </>
  );
};

/** The profile picker of the run and schedule forms: each profile with its resources and hourly price. */
export const ProfileField = ({
  id,
  profiles,
  value,
  onChange,
  error,
}: {
  id: string;
  profiles: Profile[];
  value: string;
  onChange: (v: string) => void;
  error?: string;
}) => (
  <div className="field">
    <label htmlFor={id}>Profile</label>
    <select
      id={id}
      data-field="profile"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      {profiles.length === 0 ? <option value="">No profile is open to your teams</option> : null}
      {profiles.map((p) => (
        <option key={p.slug} value={p.slug}>
          {profileLabel(p)}
        </option>
      ))}
    </select>
    {error ? <FieldError id={`${id}-error`}>{error}</FieldError> : null}
  </div>
);

/** The AWS role whose keys the run's kernel gets; a rerun starts from the earlier run's, which may be cleared. */
const RoleField = ({
  id,
  roles,
  value,
  onChange,
  error,
  kept,
}: {
  id: string;
  roles: Role[];
  value: string;
  onChange: (v: string) => void;
  error?: string;
  kept: string | null;
}) => (
  <div className="field">
    <label htmlFor={id}>AWS role</label>
    <select
      id={id}
      data-field="role"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={error ? true : undefined}
      aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
    >
      <RoleOptions roles={roles} current={kept} />
    </select>
    <p id={`${id}-hint`} className="hint">
      {kept
        ? `The earlier run's role was ${kept}; the kernel gets keys for the one chosen here.`
        : "The run's kernel gets keys for it that refresh themselves."}
    </p>
    {error ? <FieldError id={`${id}-error`}>{error}</FieldError> : null}
  </div>
);
