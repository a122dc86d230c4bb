import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { ApiClient, ApiError } from '../api-client.ts';
import { FormError } from '../components/form-error.tsx';
import { ErrorAlert, isNotFound, Loading, NotFoundState, PageLoadError } from '../components/states.tsx';
import { fieldsFor, readValues, toRequestParameters, type FormValues } from '../parameter-form.ts';
import {
  browserTimeZone,
  newDraft,
  SCHEDULE_FIELDS,
  scheduleBodyFrom,
  scheduleErrorsFromApi,
  type ScheduleDraft,
} from '../schedule-form.ts';
import { useApi } from '../session-context.tsx';
import { useAsync } from '../use-async.ts';
import { useFieldErrors } from '../use-field-errors.ts';
import { ParameterField } from './parameter-field.tsx';
import { NotifyFields, WhenFields } from './schedule-fields.tsx';
import { PolicyFields, WhatFields, type FormSource } from './schedule-run-fields.tsx';
import './run.css';
import './schedule.css';

const loadSource = async (api: ApiClient, id: string): Promise<FormSource> => {
  const [notebook, profiles, roles] = await Promise.all([api.getNotebook(id), api.listProfiles(), api.listRoles()]);
  return { notebook, profiles: profiles.items, roles: roles.items };
};

/** `/notebooks/:id/schedule`: the form that schedules a notebook to rerun itself on a calendar. */
export const ScheduleFormPage = () => {
  const { id = '' } = useParams();
  const api = useApi();
  const source = useAsync(() => loadSource(api, id), [id]);
  if (isNotFound(source.error))
    return <NotFoundState what="Notebook" back={{ to: '/notebooks', text: 'Back to Folium' }} />;
  if (source.error)
    return (
      <PageLoadError
        heading="Schedule a notebook"
        error={source.error}
        title="The schedule form could not be prepared"
        onRetry={() => source.reload()}
      />
    );
  if (!source.data) return <Loading size="page" label="Loading the schedule form…" />;
  return <ScheduleForm key={id} source={source.data} />;
};

const ScheduleForm = ({ source }: { source: FormSource }) => {
  const api = useApi();
  const navigate = useNavigate();
  const uid = useId();
  const { notebook, profiles } = source;
  const browserZone = useMemo(() => browserTimeZone(), []);
  const [draft, setDraft] = useState<ScheduleDraft>(() =>
    newDraft(notebook.title, browserZone, profiles[0]?.slug ?? ''),
  );
  const set = <K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  // The parameters of the version that will run: the pinned one, or the latest (what the next fire would check).
  const parameters = useAsync(
    () => api.getParameters(notebook.id, draft.version ? Number(draft.version) : undefined),
    [notebook.id, draft.version],
  );
  const fields = useMemo(() => (parameters.data ? fieldsFor(parameters.data.parameters) : []), [parameters.data]);
  // Only what the person changed: another version's defaults then still count as unchanged.
  const [values, setValues] = useState<FormValues>({});
  const order: string[] = [...SCHEDULE_FIELDS.slice(0, 3), ...fields.map((f) => f.name), ...SCHEDULE_FIELDS.slice(3)];
  const { form, errors, setErrors, general, setGeneral, focusFirstError, showRefusal } = useFieldErrors(order);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (submitting) return;
    if (!parameters.data) return setGeneral(['The notebook’s parameters are still loading; try again in a moment.']);
    const read = readValues(fields, values);
    const { body, errors: found } = scheduleBodyFrom(draft, toRequestParameters(read.parameters));
    const all = { ...read.errors, ...found };
    setErrors(all);
    setGeneral([]);
    if (Object.keys(all).length || !body) return focusFirstError(all);
    setSubmitting(true);
    try {
      const schedule = await api.createSchedule(notebook.id, body);
      navigate(`/schedules/${schedule.id}`);
    } catch (err) {
      setSubmitting(false);
      showRefusal(err as ApiError, (error) =>
        scheduleErrorsFromApi(
          error,
          fields.map((f) => f.name),
        ),
      );
    }
  };

  const errorCount = Object.keys(errors).length;
  return (
    <>
      <h1>Schedule {notebook.title}</h1>
      <p className="muted">
        <Link to={`/notebooks/${notebook.id}`}>{notebook.title}</Link> reruns itself at each due time, as you, with the
        parameters below. Fields you leave as they are keep the notebook’s defaults.
      </p>
      <form ref={form} className="run-form schedule-form" onSubmit={submit} noValidate>
        <FormError
          messages={[
            ...(errorCount > 0
              ? [
                  `${errorCount === 1 ? 'One field needs' : `${errorCount} fields need`} ` +
                    'a change before the schedule can be saved.',
                ]
              : []),
            ...general,
          ]}
        />
        <WhenFields draft={draft} set={set} errors={errors} browserZone={browserZone} />
        <fieldset className="card">
          <legend>Parameters</legend>
          {parameters.error ? (
            <ErrorAlert error={parameters.error} title="Parameters could not be loaded" onRetry={parameters.reload} />
          ) : !parameters.data || parameters.loading ? (
            <Loading label="Loading parameters…" />
          ) : fields.length === 0 ? (
            <p className="muted">This version has no parameters cell; it runs as it is.</p>
          ) : (
            fields.map((field) => (
              <ParameterField
                key={`${parameters.data?.version}:${field.name}`}
                field={field}
                value={values[field.name] ?? field.initial}
                error={errors[field.name]}
                onChange={(value) => setValues((v) => ({ ...v, [field.name]: value }))}
              />
            ))
          )}
        </fieldset>
        <WhatFields uid={uid} draft={draft} set={set} errors={errors} source={source} />
        <PolicyFields uid={uid} draft={draft} set={set} errors={errors} />
        <NotifyFields draft={draft} set={set} errors={errors} />
        <div className="actions">
          <button type="submit" disabled={submitting}>
            {submitting ? 'Saving…' : 'Save schedule'}
          </button>
          <Link to={`/notebooks/${notebook.id}`}>Cancel</Link>
        </div>
      </form>
    </>
  );
};
