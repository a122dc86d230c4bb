import { describe, expect, it } from 'vitest';
import type { Schedule } from './api-client.ts';
import {
  browserTimeZone,
  formatInZone,
  newDraft,
  notifySummary,
  scheduleBodyFrom,
  scheduleErrorsFromApi,
  zoneSuggestions,
} from './schedule-form.ts';

const draft = (changes: Partial<ReturnType<typeof newDraft>> = {}) => ({
  ...newDraft('Sales', 'Europe/Berlin', 'small'),
  ...changes,
});

const NOTIFY: Schedule['notify'] = {
  destination: null,
  onFailure: true,
  onSuccess: false,
  longerThanSeconds: null,
  learnedDuration: false,
  costOverUsd: null,
  digest: false,
};

describe('the schedule form', () => {
  it('starts daily at 09:00 in the given zone, failures notified, named after the notebook', () => {
    // Act
    const d = newDraft('Sales', 'Asia/Tokyo', 'small');
    // Assess
    expect(d).toMatchObject({
      name: 'Sales daily',
      expression: 'cron(0 9 * * ? *)',
      timezone: 'Asia/Tokyo',
      version: '',
      profile: 'small',
      onFailure: true,
      onSuccess: false,
    });
  });

  it('builds the create body: latest version as null, minutes as seconds, no destination key when empty', () => {
    // Prepare
    const d = draft({ name: '  Nightly  ', longerThanMinutes: '30', role: 'analyst', overlap: 'queue', retries: '2' });
    // Act
    const { body, errors } = scheduleBodyFrom(d, { days: 3 });
    // Assess
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'Nightly',
      expression: 'cron(0 9 * * ? *)',
      timezone: 'Europe/Berlin',
      parameters: { days: 3 },
      version: null,
      profile: 'small',
      role: 'analyst',
      timeoutSeconds: 3600,
      retries: 2,
      overlap: 'queue',
      missed: 'skip',
      paused: false,
      notify: { onFailure: true, onSuccess: false, longerThanSeconds: 1800, learnedDuration: false, digest: false },
    });
  });

  it('pins a chosen version and names a chosen destination', () => {
    // Act
    const { body } = scheduleBodyFrom(draft({ version: '3', destination: ' team-data ' }), {});
    // Assess
    expect(body?.version).toBe(3);
    expect(body?.notify?.destination).toBe('team-data');
  });

  it('refuses each bad field with its own message, and builds nothing', () => {
    // Prepare
    const d = draft({
      name: ' ',
      expression: '',
      timezone: '',
      profile: '',
      timeout: '5',
      retries: '6',
      longerThanMinutes: '1.5',
      destination: 'https://hooks.slack.com/x',
    });
    // Act
    const { body, errors } = scheduleBodyFrom(d, {});
    // Assess
    expect(body).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(
      [
        'destination',
        'expression',
        'longerThanMinutes',
        'name',
        'profile',
        'retries',
        'timeoutSeconds',
        'timezone',
      ].sort(),
    );
  });

  it('places the API’s expression, zone, parameter and notification problems beside their fields', () => {
    // Prepare
    const error = {
      message: 'the schedule cannot be saved',
      details: [
        { path: 'expression', message: 'cron needs six fields' },
        { path: 'query.timezone', message: 'unknown zone' },
        { path: 'parameters.days', message: 'must be an int' },
        { path: 'body.notify.destination', message: 'unknown destination' },
        { path: 'body.notify.longerThanSeconds', message: 'too long' },
        { path: 'body.delegationDays', message: 'at most 90' },
      ],
    };
    // Act
    const placed = scheduleErrorsFromApi(error, ['days']);
    // Assess
    expect(placed.fields).toEqual({
      expression: 'cron needs six fields',
      timezone: 'unknown zone',
      days: 'must be an int',
      destination: 'unknown destination',
      longerThanMinutes: 'too long',
    });
    expect(placed.general).toEqual(['body.delegationDays: at most 90']);
  });

  it('suggests the browser’s zone first and once, and falls back to UTC when the browser has none', () => {
    // Act
    const zones = zoneSuggestions('Europe/Berlin');
    // Assess
    expect(zones[0]).toBe('Europe/Berlin');
    expect(zones.filter((z) => z === 'Europe/Berlin')).toHaveLength(1);
    expect(browserTimeZone(() => ({}))).toBe('UTC');
    expect(
      browserTimeZone(() => {
        throw new Error('no Intl');
      }),
    ).toBe('UTC');
  });

  it('shows a due time as the wall clock of the schedule’s zone, not the browser’s', () => {
    // Act
    const berlin = formatInZone('2024-06-03T07:00:00.000Z', 'Europe/Berlin', 'en-GB');
    const tokyo = formatInZone('2024-06-03T07:00:00.000Z', 'Asia/Tokyo', 'en-GB');
    const unknown = formatInZone('2024-06-03T07:00:00.000Z', 'Mars/Olympus', 'en-GB');
    // Assess
    expect(berlin).toBe('Mon, 3 Jun 2024, 09:00');
    expect(tokyo).toBe('Mon, 3 Jun 2024, 16:00');
    expect(unknown).toBe('Mon, 3 Jun 2024, 07:00 UTC');
  });

  it('says who hears what in one line, and Nothing when every choice is off', () => {
    // Act
    const many = notifySummary({ ...NOTIFY, onSuccess: true, longerThanSeconds: 1800, destination: 'team-data' });
    const none = notifySummary({ ...NOTIFY, onFailure: false });
    // Assess
    expect(many).toBe('Failures, successes, runs over 30 min, to team-data');
    expect(none).toBe('Nothing');
  });
});
