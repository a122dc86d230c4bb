import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { unknownVariables } from '../../../src/config/reference.ts';
import { ValidationError } from '../../../src/domain/errors.ts';
import { checkDestinationName, destinationFor } from '../../../src/domain/notify-destinations.ts';

const BASE = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b' };
const HOOK = 'https://hooks.slack.com/services/T0/B0/xyz';
const DESTINATIONS = JSON.stringify([
  { name: 'data-alerts', type: 'slack', secret: 'orrery/notify/data-alerts', urlEnv: 'ORRERY_NOTIFY_URL_DATA' },
  { name: 'ops', type: 'webhook', secret: 'orrery/notify/ops', default: true },
]);

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('ORRERY_NOTIFY_DESTINATIONS', () => {
  it('names destinations with their secrets, the local URL from the variable an entry names, and a default', () => {
    // Act
    const config = loadConfig({ ...BASE, ORRERY_NOTIFY_DESTINATIONS: DESTINATIONS, ORRERY_NOTIFY_URL_DATA: HOOK });

    // Assess
    expect(config.notify.destinations).toEqual([
      {
        name: 'data-alerts',
        type: 'slack',
        isDefault: false,
        secret: 'orrery/notify/data-alerts',
        urlVariable: 'ORRERY_NOTIFY_URL_DATA',
        url: HOOK,
      },
      { name: 'ops', type: 'webhook', isDefault: true, secret: 'orrery/notify/ops', urlVariable: null, url: null },
    ]);
  });

  it('keeps the old Slack webhook working as the default destination `slack`', () => {
    // Act
    const alone = loadConfig({ ...BASE, ORRERY_SLACK_WEBHOOK_URL: HOOK });
    const beside = loadConfig({ ...BASE, ORRERY_SLACK_WEBHOOK_URL: HOOK, ORRERY_NOTIFY_DESTINATIONS: DESTINATIONS });
    const none = loadConfig(BASE);

    // Assess
    expect(alone.notify.destinations).toEqual([
      {
        name: 'slack',
        type: 'slack',
        isDefault: true,
        secret: null,
        urlVariable: 'ORRERY_SLACK_WEBHOOK_URL',
        url: HOOK,
      },
    ]);
    expect(destinationFor(beside.notify.destinations, null)?.name).toBe('ops');
    expect(beside.notify.destinations.map((d) => d.name)).toEqual(['data-alerts', 'ops', 'slack']);
    expect(none.notify.destinations).toEqual([]);
  });

  it.each([
    { value: 'not json', problem: /ORRERY_NOTIFY_DESTINATIONS is not JSON/ },
    { value: '[{"name":"Data Alerts","type":"slack","secret":"s"}]', problem: /0\.name: a slug/ },
    { value: '[{"name":"a","type":"email","secret":"s"}]', problem: /0\.type: one of slack, webhook/ },
    { value: '[{"name":"a","type":"slack"}]', problem: /0\.secret: name where its URL comes from/ },
    { value: '[{"name":"a","type":"slack","secret":"s","url":"https://x"}]', problem: /Unrecognized key/ },
    {
      value: '[{"name":"a","type":"slack","secret":"s"},{"name":"a","type":"webhook","secret":"t"}]',
      problem: /destination names must be unique/,
    },
    {
      value: JSON.stringify([
        { name: 'a', type: 'slack', secret: 's', default: true },
        { name: 'b', type: 'slack', secret: 't', default: true },
      ]),
      problem: /at most one destination may be the default/,
    },
  ])('stops start-up on a bad entry, saying where and what ($problem)', ({ value, problem }) => {
    // Act
    const message = refusal({ ORRERY_NOTIFY_DESTINATIONS: value });

    // Assess
    expect(message).toMatch(problem);
  });

  it('refuses a local URL that is not one, without echoing it (it is a credential)', () => {
    // Act
    const message = refusal({ ORRERY_NOTIFY_DESTINATIONS: DESTINATIONS, ORRERY_NOTIFY_URL_DATA: 'hooks-secret-token' });

    // Assess
    expect(message).toMatch(/ORRERY_NOTIFY_URL_DATA \(the URL of destination 'data-alerts'\): a URL/);
    expect(message).not.toContain('hooks-secret-token');
  });

  it('does not report the URL variables destinations name as unknown settings', () => {
    // Act
    const unknown = unknownVariables({
      ORRERY_NOTIFY_DESTINATIONS: DESTINATIONS,
      ORRERY_NOTIFY_URL_DATA: HOOK,
      ORRERY_NOTIFY_URL_OTHER: HOOK,
    });

    // Assess
    expect(unknown.map((u) => u.name)).toEqual(['ORRERY_NOTIFY_URL_OTHER']);
  });
});

describe('checkDestinationName', () => {
  it('accepts a configured name or null (the default), and refuses an unknown name listing the known ones', () => {
    // Prepare
    const all = [{ name: 'data-alerts' }, { name: 'ops' }];

    // Act
    const unknown = () => checkDestinationName(all, 'https://evil.example.com');

    // Assess
    expect(() => checkDestinationName(all, 'ops')).not.toThrow();
    expect(() => checkDestinationName(all, null)).not.toThrow();
    expect(unknown).toThrow(ValidationError);
    expect(unknown).toThrow(
      "unknown notification destination 'https://evil.example.com'; known destinations: data-alerts, ops",
    );
  });

  it('says that none are configured when an admin named none', () => {
    // Act
    const check = () => checkDestinationName([], 'ops');

    // Assess
    expect(check).toThrow(/no destinations are configured/);
  });
});
