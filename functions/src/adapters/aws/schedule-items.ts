import type { Schedule, ScheduleFire } from '../../domain/schedule.ts';
import type { FireChanges, ScheduleChanges } from '../../ports/schedule-store.ts';

// A schedule is `SCHED#<id>` / `META`, its position `<createdAt>#<id>` sorting two indexes: gsi1, an owner's
// schedules (`SCHEDOWNER#<owner>`), and gsi4, every schedule (`SCHEDS`, admins). gsi3 is sparse: an unpaused
// schedule carries `SCHEDACTIVE` / `<id>`, a pause removes the keys, so the local timer reads only live ones.
// Its fires share its partition, `FIRE#<dueAt>`: this is the issue's `FIRE#<schedule>#<scheduledTime>` record,
// with the schedule in the partition key, so a schedule's fires are one Query and a claim is one conditional put.
// A queued fire also carries the sparse gsi2 keys `SCHEDQUEUE#<scheduleId>` / `<dueAt>`, removed when it moves on.
// Parameters are kept as JSON text: any JSON may come (empty maps, empty strings, nesting past DynamoDB's 32 levels).

/** The partition of a schedule and its fires. */
export const schedulePk = (id: string) => `SCHED#${id}`;
/** The sort key prefix of a schedule's fires. */
export const FIRE_PREFIX = 'FIRE#';
/** The partition of the unpaused schedules (gsi3). */
export const ACTIVE_PK = 'SCHEDACTIVE';
/** The partition of every schedule (gsi4). */
export const ALL_PK = 'SCHEDS';
/** The partition of a user's schedules (gsi1). */
export const ownerPk = (owner: string) => `SCHEDOWNER#${owner}`;
/** The partition of one schedule's queued fires (gsi2). */
export const queuePk = (scheduleId: string) => `SCHEDQUEUE#${scheduleId}`;
/** Where a schedule sorts in its listings: newest first by creation, the id breaking ties. */
export const position = (s: Pick<Schedule, 'createdAt' | 'id'>) => `${s.createdAt}#${s.id}`;

const KEYS = ['PK', 'SK', 'entity', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK'];
// What an update never touches: the schedule's identity, and the keys this module keeps in step with it.
const FIXED = new Set<string>(['id', 'owner', 'createdAt', 'revision', 'scheduleId', 'dueAt', ...KEYS]);

const recordOf = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !KEYS.includes(k)));

/** The stored item of a schedule. */
export const toScheduleItem = (s: Schedule) => {
  const at = position(s);
  return {
    ...s,
    parameters: JSON.stringify(s.parameters),
    PK: schedulePk(s.id),
    SK: 'META',
    entity: 'schedule',
    GSI1PK: ownerPk(s.owner),
    GSI1SK: at,
    ...(s.paused ? {} : { GSI3PK: ACTIVE_PK, GSI3SK: s.id }),
    GSI4PK: ALL_PK,
    GSI4SK: at,
  };
};

/** The schedule an item holds. */
export const fromScheduleItem = (item: Record<string, unknown>): Schedule => {
  const s = recordOf(item);
  if (typeof s.parameters === 'string') s.parameters = JSON.parse(s.parameters);
  return s as unknown as Schedule;
};

/** The stored item of a fire. */
export const toFireItem = (f: ScheduleFire) => ({
  ...f,
  PK: schedulePk(f.scheduleId),
  SK: `${FIRE_PREFIX}${f.dueAt}`,
  entity: 'schedule-fire',
  ...(f.outcome === 'queued' ? { GSI2PK: queuePk(f.scheduleId), GSI2SK: f.dueAt } : {}),
});

/** The fire an item holds. */
export const fromFireItem = (item: Record<string, unknown>): ScheduleFire => recordOf(item) as unknown as ScheduleFire;

/** An update of an existing item: its expression and the condition it is applied on. */
export interface UpdateParts {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

// SET for each change given (placeholders by number: a field's name is never spliced into the expression).
const setsOf = (changes: Record<string, unknown>, encode: (field: string, value: unknown) => unknown) => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined || FIXED.has(field)) continue;
    const n = sets.length;
    names[`#f${n}`] = field;
    values[`:f${n}`] = encode(field, value);
    sets.push(`#f${n} = :f${n}`);
  }
  return { names, values, sets };
};

/** A schedule's update at `revision`: the changes, the next revision, and the active keys following `paused`. */
export const scheduleUpdate = (id: string, revision: number, changes: ScheduleChanges): UpdateParts => {
  const { names, values, sets } = setsOf(changes, (f, v) => (f === 'parameters' ? JSON.stringify(v) : v));
  sets.push('#revision = :next');
  if (changes.paused === false) sets.push('GSI3PK = :activePk', 'GSI3SK = :id');
  return {
    UpdateExpression: `SET ${sets.join(', ')}${changes.paused === true ? ' REMOVE GSI3PK, GSI3SK' : ''}`,
    ConditionExpression: 'attribute_exists(PK) AND #revision = :revision',
    ExpressionAttributeNames: { ...names, '#revision': 'revision' },
    ExpressionAttributeValues: {
      ...values,
      ':revision': revision,
      ':next': revision + 1,
      ...(changes.paused === false ? { ':activePk': ACTIVE_PK, ':id': id } : {}),
    },
  };
};

/** A fire's update: the changes, with the queue keys present only while the outcome is `queued`. */
export const fireUpdate = (
  scheduleId: string,
  dueAt: string,
  changes: FireChanges,
  onlyIf?: ScheduleFire['outcome'],
): UpdateParts => {
  const { names, values, sets } = setsOf(changes, (_, v) => v);
  if (onlyIf) {
    names['#outcome'] = 'outcome';
    values[':onlyIf'] = onlyIf;
  }
  const queued = changes.outcome === 'queued';
  if (queued) sets.push('GSI2PK = :queuePk', 'GSI2SK = :dueAt');
  const leaves = changes.outcome !== undefined && !queued;
  return {
    UpdateExpression: `SET ${sets.join(', ')}${leaves ? ' REMOVE GSI2PK, GSI2SK' : ''}`,
    ConditionExpression: onlyIf ? 'attribute_exists(PK) AND #outcome = :onlyIf' : 'attribute_exists(PK)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...values, ...(queued ? { ':queuePk': queuePk(scheduleId), ':dueAt': dueAt } : {}) },
  };
};
