import * as z from 'zod';
import { DESTINATION_TYPES } from '../domain/notify-destinations.ts';
import type { NoticeKind } from '../domain/notice.ts';
import { PageQuery } from './schemas.ts';

// The destinations admins name (ORRERY_NOTIFY_DESTINATIONS; a contract, so the deploy can grant exactly the
// secrets it names) and the delivery log's route.

const SLUG = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;

/** One destination as written in ORRERY_NOTIFY_DESTINATIONS. */
export const NotifyDestinationEntrySchema = z
  .strictObject({
    name: z.string().regex(SLUG, 'a slug: lowercase letters, digits, inner dashes (≤ 64)'),
    type: z.enum(DESTINATION_TYPES, `one of ${DESTINATION_TYPES.join(', ')}`),
    secret: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('the Secrets Manager secret (name or ARN) whose value is the URL: what the cloud reads'),
    urlEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional()
      .describe('the environment variable that holds the URL: what local mode reads'),
    default: z.boolean().default(false).describe('notices that name no destination go here'),
  })
  .refine((d) => d.secret !== undefined || d.urlEnv !== undefined, {
    message: 'name where its URL comes from: `secret` (the cloud), `urlEnv` (local mode), or both',
    path: ['secret'],
  });

/** ORRERY_NOTIFY_DESTINATIONS: destinations with unique names, at most one of them the default. */
export const NotifyDestinationsSchema = z
  .array(NotifyDestinationEntrySchema)
  .refine((ds) => new Set(ds.map((d) => d.name)).size === ds.length, 'destination names must be unique')
  .refine((ds) => ds.filter((d) => d.default).length <= 1, 'at most one destination may be the default');

/** One entry of ORRERY_NOTIFY_DESTINATIONS, checked. */
export type NotifyDestinationEntry = z.output<typeof NotifyDestinationEntrySchema>;

// Every kind once: adding a kind to NoticeKind without listing it here fails the type check.
const KINDS: Record<NoticeKind, true> = {
  'run-failed': true,
  'run-succeeded': true,
  'run-slow': true,
  'run-cost': true,
  'schedule-failed': true,
  'delegation-expiring': true,
  digest: true,
  'cull-warning': true,
  'cull-stop': true,
  'spark-high-cost': true,
  other: true,
};

/** Every notice kind, for the delivery log's schema. */
export const NOTICE_KINDS = Object.keys(KINDS) as NoticeKind[];

/** GET /notifications. */
export const ListNotificationsQuery = PageQuery.extend({
  user: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe("admins: this user's notifications, or `*` for everyone's; default your own"),
});

/** One notification in the delivery log: what was sent, where, and what became of it. */
export const NotificationSchema = z.object({
  id: z.string(),
  user: z.string().describe('who it was for'),
  kind: z.enum(NOTICE_KINDS),
  destination: z.string().nullable().describe('the destination it went to; null when none was configured'),
  subject: z.string(),
  text: z.string(),
  ref: z.string().nullable().describe('what it is about: a run id, a schedule id'),
  status: z
    .enum(['delivered', 'failed', 'logged'])
    .describe('delivered; failed after retries; or logged only (no destination configured)'),
  attempts: z.number(),
  error: z.string().nullable().describe('the last failure as the destination answered; null when delivered'),
  createdAt: z.string(),
});
