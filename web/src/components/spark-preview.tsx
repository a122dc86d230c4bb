import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Profile, SparkPreview } from '../api-client.ts';
import { formatDailyPrice, formatHourlyPrice } from '../format.ts';
import { useApi } from '../session-context.tsx';
import { EMPTY_SPARK_FIELDS, formatExecutors, notebookCall, sparkAsk, type SparkFields } from '../spark-text.ts';
import { CopyBlock } from './copy-block.tsx';
import { DataTable } from './data-table.tsx';
import { FieldError } from './form-error.tsx';
import { ErrorAlert, Loading } from './states.tsx';

// Typing pauses this long before the preview is asked again; each new ask cancels the one in flight.
const SETTLE_MS = 350;

const NUMBER_FIELDS: { key: 'cores' | 'memoryGb' | 'maxExecutors'; label: string; hint: string }[] = [
  { key: 'cores', label: 'Executor cores', hint: 'spark.executor.cores' },
  { key: 'memoryGb', label: 'Executor memory (GB)', hint: 'spark.executor.memory' },
  { key: 'maxExecutors', label: 'Max executors', hint: 'dynamic allocation scales up to this' },
];

/**
 * The Spark preview under the launch form, for profiles whose servers may start Spark: pool, executor shape, max
 * executors and more options in; the conf the rules derive, their warnings, and the cost per hour now, at most and
 * per day out (POST /spark/preview, which starts nothing), with the notebook call that asks for the same.
 */
export const SparkPreviewSection = ({ profile }: { profile: Profile }) => {
  const id = useId();
  const api = useApi();
  const [fields, setFields] = useState<SparkFields>(EMPTY_SPARK_FIELDS);
  const [preview, setPreview] = useState<SparkPreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const { ask, problems } = sparkAsk(fields);
  const askKey = ask ? JSON.stringify(ask) : null;

  useEffect(() => {
    if (askKey === null) return;
    const controller = new AbortController();
    setLoading(true);
    const handle = setTimeout(() => {
      api.previewSpark(JSON.parse(askKey), controller.signal).then(
        (answer) => {
          setPreview(answer);
          setError(null);
          setLoading(false);
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setError(err);
          setLoading(false);
        },
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(handle);
      controller.abort();
    };
  }, [api, askKey]);

  const set = (key: keyof SparkFields) => (e: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [key]: e.target.value }));
  // Enter in a field asks at once rather than submitting anything else.
  const submit = (event: FormEvent) => event.preventDefault();
  const describedBy = (key: keyof SparkFields) => `${id}-${key}-hint${problems[key] ? ` ${id}-${key}-error` : ''}`;

  return (
    <section className="spark-preview" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Spark preview</h3>
      <p className="hint">
        Notebooks on a {profile.displayName} server can start Spark on the cluster with{' '}
        <code>create_spark_session()</code>. See what a session would be given and what it may cost; nothing starts
        here.
      </p>
      <form onSubmit={submit} noValidate aria-label="Spark preview settings">
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-pool`}>Spark pool</label>
            <input
              id={`${id}-pool`}
              value={fields.pool}
              onChange={set('pool')}
              placeholder={preview?.pool}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={describedBy('pool')}
            />
            <span id={`${id}-pool-hint`} className="hint">
              Empty: the default pool{preview && !fields.pool.trim() ? ` (${preview.pool})` : ''}.
            </span>
          </div>
          {NUMBER_FIELDS.map(({ key, label, hint }) => (
            <div className="field field-narrow" key={key}>
              <label htmlFor={`${id}-${key}`}>{label}</label>
              <input
                id={`${id}-${key}`}
                value={fields[key]}
                onChange={set(key)}
                inputMode="numeric"
                autoComplete="off"
                placeholder={preview ? placeholderOf(preview, key) : undefined}
                aria-invalid={problems[key] ? true : undefined}
                aria-describedby={describedBy(key)}
              />
              <span id={`${id}-${key}-hint`} className="hint">
                {hint}
              </span>
              {problems[key] ? <FieldError id={`${id}-${key}-error`}>{problems[key]}</FieldError> : null}
            </div>
          ))}
        </div>
        <div className="field">
          <label htmlFor={`${id}-conf`}>Other Spark options</label>
          <textarea
            id={`${id}-conf`}
            value={fields.conf}
            onChange={set('conf')}
            rows={3}
            spellCheck={false}
            placeholder="spark.sql.adaptive.enabled=true"
            aria-invalid={problems.conf ? true : undefined}
            aria-describedby={describedBy('conf')}
          />
          <span id={`${id}-conf-hint`} className="hint">
            One <code>key=value</code> a line. Options the platform sets itself (master, namespace, credentials…) are
            dropped with a warning.
          </span>
          {problems.conf ? <FieldError id={`${id}-conf-error`}>{problems.conf}</FieldError> : null}
        </div>
      </form>
      <div className="spark-result" aria-busy={loading}>
        {error ? (
          <ErrorAlert error={error} size="inline" title="No preview" />
        ) : preview ? (
          <PreviewResult preview={preview} call={ask ? notebookCall(ask) : null} />
        ) : (
          <Loading size="inline" label="Working out the Spark preview…" />
        )}
      </div>
    </section>
  );
};

const placeholderOf = (p: SparkPreview, key: 'cores' | 'memoryGb' | 'maxExecutors') =>
  String(key === 'cores' ? p.executor.cores : key === 'memoryGb' ? p.executor.memoryGb : p.maxExecutors);

/** The preview's answer: the cost first (and a warning when it is high), then executors, warnings and the conf. */
const PreviewResult = ({ preview: p, call }: { preview: SparkPreview; call: string | null }) => {
  const conf = Object.entries(p.conf).sort(([a], [b]) => a.localeCompare(b));
  return (
    <>
      <p className="spark-cost" role="status">
        Costs {formatHourlyPrice(p.cost.hourlyUsd)} now and at most {formatHourlyPrice(p.cost.maxHourlyUsd)}, up to{' '}
        {formatDailyPrice(p.cost.dailyMaxUsd)}.
      </p>
      {p.cost.highCost ? (
        <p className="notice spark-high-cost">
          <strong>High cost:</strong> at its maximum this session would cost {formatDailyPrice(p.cost.dailyMaxUsd)}.
          Fewer or smaller executors cost less; the platform notifies you when such a session starts.
        </p>
      ) : null}
      <dl className="facts" aria-label="Spark session preview">
        <dt>Pool</dt>
        <dd>{p.pool}</dd>
        <dt>Executors</dt>
        <dd>{formatExecutors(p)}</dd>
        <dt>Dynamic allocation</dt>
        <dd>{p.dynamicAllocation ? `on, starting with ${p.initialExecutors}` : 'off'}</dd>
        <dt>Per hour now</dt>
        <dd>{formatHourlyPrice(p.cost.hourlyUsd)}</dd>
        <dt>Per hour at most</dt>
        <dd>{formatHourlyPrice(p.cost.maxHourlyUsd)}</dd>
        <dt>Per day at most</dt>
        <dd>{formatDailyPrice(p.cost.dailyMaxUsd)}</dd>
        <dt>Image</dt>
        <dd>
          <code>{p.image}</code>
        </dd>
      </dl>
      {p.warnings.length ? (
        <div className="notice">
          <strong>Warnings</strong>
          <ul className="spark-warnings">
            {p.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <details className="spark-conf">
        <summary>Derived Spark conf ({conf.length} options)</summary>
        <DataTable
          name="Derived Spark conf"
          hideName
          columns={['Option', 'Value']}
          rows={conf}
          row={([key, value]) => (
            <tr key={key}>
              <th scope="row">
                <code>{key}</code>
              </th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          )}
        />
      </details>
      {call ? <CopyBlock title="In a notebook" what="the notebook call" text={call} /> : null}
    </>
  );
};
