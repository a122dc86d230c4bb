import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HmacCursorCodec } from '../../../src/adapters/system/hmac-cursor-codec.ts';
import { makeNotificationHandlers } from '../../../src/handlers/http/notification-handlers.ts';
import type { ApiEvent } from '../../../src/http/api-event.ts';
import type { NotificationDelivery } from '../../../src/ports/notification-log.ts';
import { ArrayNotificationLog } from '../../support/notification-fakes.ts';

const EXP = Math.floor(Date.now() / 1000) + 3600;
const ISSUER = 'https://login.example.com';

// What API Gateway passes after its JWT authorizer: the token in the header, its claims flattened beside it.
const event = (sub: string, groups: string[], query: Record<string, string> = {}): ApiEvent => {
  const claims = { sub, iss: ISSUER, exp: EXP, 'cognito:groups': groups };
  const token = ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'c2ln'].join('.');
  return {
    version: '2.0',
    routeKey: 'GET /notifications',
    rawPath: '/notifications',
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: query,
    headers: { authorization: `Bearer ${token}` },
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      routeKey: 'GET /notifications',
      http: { method: 'GET' },
      authorizer: { jwt: { claims: { sub, iss: ISSUER, exp: String(EXP) }, scopes: [] } },
    },
  } as unknown as ApiEvent;
};

const delivery = (id: string, user: string): NotificationDelivery => ({
  id,
  user,
  kind: 'cull-warning',
  destination: 'slack',
  subject: `for ${user}`,
  text: 'your server will be stopped',
  ref: 'srv-1',
  status: 'delivered',
  attempts: 1,
  error: null,
  createdAt: `2026-01-05T09:00:0${id.slice(-1)}.000Z`,
});

const listing = async () => {
  const notificationLog = new ArrayNotificationLog();
  await notificationLog.record(delivery('ntf-1', 'alice'));
  await notificationLog.record(delivery('ntf-2', 'bob'));
  const h = makeNotificationHandlers({ notificationLog, cursors: new HmacCursorCodec('test-secret-test-secret') }, {});
  return async (e: ApiEvent) => (await h.listNotifications(e, {} as Context)) as { statusCode: number; body: string };
};

describe('GET /notifications', () => {
  it("answers the caller's own notifications as a page", async () => {
    // Prepare
    const get = await listing();

    // Act
    const answer = await get(event('alice', []));

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ items: [delivery('ntf-1', 'alice')], nextCursor: null });
  });

  it("answers 403 for another user's notifications, and admins everyone's", async () => {
    // Prepare
    const get = await listing();

    // Act
    const refused = await get(event('alice', [], { user: 'bob' }));
    const admin = await get(event('root', ['orrery-admins'], { user: '*' }));

    // Assess
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'forbidden' });
    expect(admin.statusCode).toBe(200);
    expect(JSON.parse(admin.body).items.map((d: NotificationDelivery) => d.id)).toEqual(['ntf-2', 'ntf-1']);
  });

  it('answers 400 for a query it does not know', async () => {
    // Prepare
    const get = await listing();

    // Act
    const answer = await get(event('alice', [], { destination: 'ops' }));

    // Assess
    expect(answer.statusCode).toBe(400);
  });
});
