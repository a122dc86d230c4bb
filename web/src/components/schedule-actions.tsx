import { useEffect, useRef, useState } from 'react';
import type { Fire, Schedule } from '../api-client.ts';
import { useApi } from '../session-context.tsx';
import { ErrorAlert } from './states.tsx';

/**
 * Pause or Resume, Run now, and Delete (after a confirmation that says what deleting keeps) for one schedule.
 * In a table each button's name also carries the schedule's name, so a list of buttons reads apart.
 */
export const ScheduleActions = ({
  schedule,
  inTable = false,
  onChanged,
  onTriggered,
  onDeleted,
}: {
  schedule: Schedule;
  inTable?: boolean;
  onChanged: (schedule: Schedule) => void;
  onTriggered: (fire: Fire) => void;
  onDeleted: () => void;
}) => {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const yes = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) yes.current?.focus();
  }, [confirming]);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const keep = () => {
    setConfirming(false);
    requestAnimationFrame(() => ask.current?.focus());
  };
  const named = (verb: string) => (
    <>
      {verb}
      {inTable ? <span className="visually-hidden"> {schedule.name}</span> : null}
    </>
  );

  return (
    <>
      <div className="actions">
        {confirming ? (
          <span
            className="confirm"
            role="group"
            aria-label={`Confirm deleting ${schedule.name}`}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && !busy) keep();
            }}
          >
            <span>Delete {schedule.name}? Its runs stay.</span>
            <button
              type="button"
              className="danger"
              ref={yes}
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await api.deleteSchedule(schedule.id);
                  onDeleted();
                })
              }
            >
              {busy ? 'Deleting…' : 'Yes, delete it'}
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={keep}>
              Keep it
            </button>
          </span>
        ) : (
          <>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() =>
                void act(async () => onChanged(await api.updateSchedule(schedule.id, { paused: !schedule.paused })))
              }
            >
              {named(schedule.paused ? 'Resume' : 'Pause')}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void act(async () => onTriggered(await api.triggerSchedule(schedule.id)))}
            >
              {named('Run now')}
            </button>
            <button type="button" className="danger" ref={ask} disabled={busy} onClick={() => setConfirming(true)}>
              {named('Delete')}
            </button>
          </>
        )}
      </div>
      {error ? <ErrorAlert error={error} size="inline" /> : null}
    </>
  );
};
