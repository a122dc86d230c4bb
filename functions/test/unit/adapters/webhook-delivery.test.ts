import { describe, expect, it } from 'vitest';
import { DestinationUrls, DispatchingNotifier } from '../../../src/adapters/system/dispatching-notifier.ts';
import {
  DEFAULT_DELIVERY_POLICY,
  type DeliveryTools,
  postWithRetries,
} from '../../../src/adapters/system/webhook-delivery.ts';
import type { NotifyDestination } from '../../../src/domain/notify-destinations.ts';
import type { Notice } from '../../../src/ports/notifier.ts';
import { FakeClock, SequentialIds } from '../../support/fakes.ts';
import { ArrayNotificationLog } from '../../support/notification-fakes.ts';

const URL_ = 'https://hooks.slack.com/services/T000/B000/secret-part';

type Answer = Response | Error;

/** A fetch that answers from a script, in order, and remembers what it was sent; a sleep that only records. */
const scripted = (...answers: Answer[]) => {
  const calls: { url: string; body: unknown }[] = [];
  const slept: number[] = [];
  const tools: DeliveryTools = {
    fetchFn: async (input, init) => {
      calls.push({ url: String(input), body: JSON.parse(String(init?.body)) });
      const next = answers.shift() ?? new Response('ok');
      if (next instanceof Error) throw next;
      return next;
    },
    sleep: async (ms) => {
      slept.push(ms);
    },
    now: () => Date.parse('2026-01-05T09:00:00.000Z'),
  };
  return { tools, calls, slept };
};

const unreachable = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

describe('postWithRetries', () => {
  it('delivers on the first answer that is a success', async () => {
    // Prepare
    const { tools, calls, slept } = scripted(new Response('ok'));

    // Act
    const outcome = await postWithRetries(URL_, { text: 'hi' }, DEFAULT_DELIVERY_POLICY, tools);

    // Assess
    expect(outcome).toEqual({ delivered: true, attempts: 1, error: null });
    expect(calls).toEqual([{ url: URL_, body: { text: 'hi' } }]);
    expect(slept).toEqual([]);
  });

  it("waits as long as a 429's Retry-After says, then tries again", async () => {
    // Prepare
    const { tools, slept } = scripted(
      new Response('rate_limited', { status: 429, headers: { 'retry-after': '7' } }),
      new Response('ok'),
    );

    // Act
    const outcome = await postWithRetries(URL_, {}, DEFAULT_DELIVERY_POLICY, tools);

    // Assess
    expect(outcome).toEqual({ delivered: true, attempts: 2, error: null });
    expect(slept).toEqual([7000]);
  });

  it('gives up on a Retry-After longer than it waits, saying so', async () => {
    // Prepare
    const { tools, calls } = scripted(new Response('rate_limited', { status: 429, headers: { 'retry-after': '120' } }));

    // Act
    const outcome = await postWithRetries(URL_, {}, DEFAULT_DELIVERY_POLICY, tools);

    // Assess
    expect(outcome).toEqual({
      delivered: false,
      attempts: 1,
      error: 'HTTP 429: rate_limited; Retry-After 120 s is longer than 30 s',
    });
    expect(calls).toHaveLength(1);
  });

  it('retries a 500 with exponential backoff, then reports the last answer', async () => {
    // Prepare
    const { tools, calls, slept } = scripted(
      ...Array.from({ length: 4 }, () => new Response('internal trouble', { status: 500 })),
    );

    // Act
    const outcome = await postWithRetries(URL_, {}, DEFAULT_DELIVERY_POLICY, tools);

    // Assess
    expect(outcome).toEqual({ delivered: false, attempts: 4, error: 'HTTP 500: internal trouble' });
    expect(calls).toHaveLength(4);
    expect(slept).toEqual([500, 1000, 2000]);
  });

  it('retries a host it cannot reach, without the URL in what it reports', async () => {
    // Prepare
    const { tools, slept } = scripted(unreachable(), new Response('ok'));
    const failing = scripted(...Array.from({ length: 4 }, unreachable));

    // Act
    const recovered = await postWithRetries(URL_, {}, DEFAULT_DELIVERY_POLICY, tools);
    const lost = await postWithRetries(URL_, {}, DEFAULT_DELIVERY_POLICY, failing.tools);

    // Assess
    expect(recovered).toEqual({ delivered: true, attempts: 2, error: null });
    expect(slept).toEqual([500]);
    expect(lost).toEqual({ delivered: false, attempts: 4, error: 'unreachable: ECONNREFUSED' });
  });

  it('does not retry an answer that will not change (a 404 from a removed webhook)', async () => {
    // Prepare
    const { tools, calls } = scripted(new Response('no_service', { status: 404 }));

    // Act
    const outcome = await postWithRetries(URL_, {}, DEFAULT_DELIVERY_POLICY, tools);

    // Assess
    expect(outcome).toEqual({ delivered: false, attempts: 1, error: 'HTTP 404: no_service' });
    expect(calls).toHaveLength(1);
  });
});

const destination = (over: Partial<NotifyDestination> = {}): NotifyDestination => ({
  name: 'data-alerts',
  type: 'slack',
  isDefault: true,
  secret: null,
  urlVariable: 'ORRERY_NOTIFY_URL_DATA_ALERTS',
  url: URL_,
  ...over,
});

const NOTICE: Notice = {
  user: 'alice',
  kind: 'run-failed',
  subject: "Scheduled run of 'Sales model' failed",
  text: 'it failed',
  ref: 'run-1',
};

const notifier = (destinations: NotifyDestination[], tools: DeliveryTools, secrets: Record<string, string> = {}) => {
  const deliveries = new ArrayNotificationLog();
  const reads: string[] = [];
  const reader = {
    read: async (id: string) => {
      reads.push(id);
      if (!(id in secrets))
        throw Object.assign(new Error(`secret ${id} not found`), { name: 'ResourceNotFoundException' });
      return secrets[id]!;
    },
  };
  const n = new DispatchingNotifier({
    destinations,
    urls: new DestinationUrls(reader),
    deliveries,
    ids: new SequentialIds(),
    clock: new FakeClock(),
    tools,
  });
  return { n, deliveries, reads };
};

describe('DispatchingNotifier', () => {
  it('sends to the default destination as Slack blocks and records the delivery', async () => {
    // Prepare
    const { tools, calls } = scripted(new Response('ok'));
    const { n, deliveries } = notifier([destination()], tools);

    // Act
    await n.notify(NOTICE);

    // Assess
    expect((calls[0]!.body as { blocks: unknown[] }).blocks[0]).toMatchObject({ type: 'header' });
    expect(deliveries.deliveries).toEqual([
      {
        id: 'ntf-0000000000000001',
        user: 'alice',
        kind: 'run-failed',
        destination: 'data-alerts',
        subject: "Scheduled run of 'Sales model' failed",
        text: 'it failed',
        ref: 'run-1',
        status: 'delivered',
        attempts: 1,
        error: null,
        createdAt: '2026-01-05T09:00:00.000Z',
      },
    ]);
  });

  it('sends a generic webhook the JSON body, to the destination the notice names', async () => {
    // Prepare
    const { tools, calls } = scripted(new Response(null, { status: 204 }));
    const ops = destination({ name: 'ops', type: 'webhook', isDefault: false, url: 'https://ops.example.com/hook' });
    const { n, deliveries } = notifier([destination(), ops], tools);

    // Act
    await n.notify({ ...NOTICE, destination: 'ops' });

    // Assess
    expect(calls).toEqual([
      {
        url: 'https://ops.example.com/hook',
        body: expect.objectContaining({ id: 'ntf-0000000000000001', kind: 'run-failed', subject: NOTICE.subject }),
      },
    ]);
    expect(deliveries.deliveries[0]).toMatchObject({ destination: 'ops', status: 'delivered' });
  });

  it('records a 429 honoured through its Retry-After as delivered after two attempts', async () => {
    // Prepare
    const { tools, slept } = scripted(new Response('', { status: 429, headers: { 'retry-after': '3' } }));
    const { n, deliveries } = notifier([destination()], tools);

    // Act
    await n.notify(NOTICE);

    // Assess
    expect(slept).toEqual([3000]);
    expect(deliveries.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('records a destination that kept failing as failed, with the last answer, without throwing', async () => {
    // Prepare
    const { tools } = scripted(...Array.from({ length: 4 }, () => new Response('boom', { status: 503 })));
    const { n, deliveries } = notifier([destination()], tools);

    // Act
    const done = n.notify(NOTICE);

    // Assess
    await expect(done).resolves.toBeUndefined();
    expect(deliveries.deliveries[0]).toMatchObject({ status: 'failed', attempts: 4, error: 'HTTP 503: boom' });
  });

  it('keeps the notice in the log only when no destination is configured', async () => {
    // Prepare
    const { tools, calls } = scripted();
    const { n, deliveries } = notifier([], tools);

    // Act
    await n.notify(NOTICE);

    // Assess
    expect(calls).toEqual([]);
    expect(deliveries.deliveries[0]).toMatchObject({ status: 'logged', destination: null, attempts: 0, error: null });
  });

  it('records a notice for a destination nobody configured as failed, naming the known ones', async () => {
    // Prepare
    const { tools, calls } = scripted();
    const { n, deliveries } = notifier([destination()], tools);

    // Act
    await n.notify({ ...NOTICE, destination: 'gone' });

    // Assess
    expect(calls).toEqual([]);
    expect(deliveries.deliveries[0]).toMatchObject({
      status: 'failed',
      destination: 'gone',
      error: "no destination is named 'gone' (known: data-alerts)",
    });
  });

  it("reads a destination's URL from its secret once, and again after a failed delivery", async () => {
    // Prepare
    const { tools, calls } = scripted(new Response('ok'), new Response('gone', { status: 410 }), new Response('ok'));
    const secret = destination({ url: null, secret: 'orrery/notify/data-alerts' });
    const { n, reads } = notifier([secret], tools, { 'orrery/notify/data-alerts': `${URL_}\n` });

    // Act
    await n.notify(NOTICE);
    await n.notify(NOTICE);
    await n.notify(NOTICE);

    // Assess
    expect(calls.map((c) => c.url)).toEqual([URL_, URL_, URL_]);
    expect(reads).toEqual(['orrery/notify/data-alerts', 'orrery/notify/data-alerts']);
  });

  it('records a destination whose URL cannot be found as failed, saying what to set', async () => {
    // Prepare
    const { tools } = scripted();
    const local = notifier([destination({ url: null })], tools);
    const cloud = notifier([destination({ url: null, secret: 'orrery/missing' })], tools);

    // Act
    await local.n.notify(NOTICE);
    await cloud.n.notify(NOTICE);

    // Assess
    expect(local.deliveries.deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: 'it has no URL here: set ORRERY_NOTIFY_URL_DATA_ALERTS to its URL',
    });
    expect(cloud.deliveries.deliveries[0]!.error).toBe(
      'its secret orrery/missing cannot be read: ResourceNotFoundException: secret orrery/missing not found',
    );
  });

  it('never throws when the delivery log cannot be written', async () => {
    // Prepare
    const { tools } = scripted(new Response('ok'));
    const { n, deliveries } = notifier([destination()], tools);
    deliveries.record = async () => {
      throw new Error('table unavailable');
    };

    // Act
    const done = n.notify(NOTICE);

    // Assess
    await expect(done).resolves.toBeUndefined();
  });
});
