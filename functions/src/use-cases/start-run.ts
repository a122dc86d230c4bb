import { ConflictError, ValidationError } from '../domain/errors.ts';
import type { NotebookVersion } from '../domain/notebook.ts';
import { checkParameterNames, checkParameterValues, toPapermillJson } from '../domain/parameter-values.ts';
import { canStartRun, type Run } from '../domain/run.ts';
import { translatorFor } from '../domain/translators/registry.ts';
import { loadTyped, storeTyped, type StoredTypedValue } from '../domain/typed-values.ts';
import type { User } from '../domain/user.ts';
import { loadVersion } from './load-version.ts';
import { loadReadable } from './notebook-access.ts';
import { profileFor } from '../domain/profile.ts';
import { roleFor, teamFor } from '../domain/role.ts';
import type { CredentialDeps } from './credential-deps.ts';
import type { FoliumDeps } from './folium-deps.ts';
import type { RunDeps } from './run-deps.ts';

/** What starting a run needs: the notebook's records, the run store and workflow, the registries and settings. */
export type StartRunDeps = Pick<RunDeps, 'runs' | 'workflows' | 'runSettings' | 'profiles'> &
  Pick<FoliumDeps, 'notebooks' | 'clock' | 'ids'> &
  Pick<CredentialDeps, 'roles'>;

/** What a caller sends to start a run. */
export interface StartRunInput {
  user: User;
  notebookId: string;
  version?: number;
  parameters?: Record<string, unknown>;
  allowUnknownParameters?: boolean;
  profile?: string;
  timeoutSeconds?: number;
  cellTimeoutSeconds?: number | null;
  idempotencyKey?: string;
  /** The AWS role whose credentials the run's kernel gets (GET /credentials/roles); none by default. */
  role?: string | null;
  rerunOf?: string | null;
  /** Exact values carried over from an earlier run; `parameters` override them. */
  carriedParameters?: Record<string, StoredTypedValue>;
  /** A schedule's fire: the run id it claimed (so a redelivery finishes the same run), the due time and try. */
  fire?: { runId: string; scheduleId: string; dueAt: string; attempt: number; roleTeam: string | null };
}

/**
 * Starts a run of one notebook version with parameters.
 * 1. Load the notebook (404 if unreadable): whoever may read it may run it, as themselves (the run is theirs; its
 *    readers are they, the notebook's owner and admins). An archived notebook runs for no one (409).
 * 2. Load the version (latest by default); validate names and values against its inferred
 *    parameters for its kernel language, the profile, and the role (one the caller does not hold: the 403 of
 *    POST /credentials), all before anything starts (400 naming each problem).
 * 3. Claim the idempotency key: a key used in the last 24 hours returns that run instead.
 * 4. Record the run (CREATED) with the notebook's current title, start its workflow, and mark it QUEUED.
 */
export const startRun = async (deps: StartRunDeps, input: StartRunInput): Promise<Run> => {
  const notebook = await loadReadable(deps.notebooks, input.user, input.notebookId);
  if (!canStartRun(input.user, notebook)) {
    throw new ConflictError(`notebook ${notebook.id} is archived; it can no longer run`, 'archived');
  }
  const version = await loadVersion(deps, notebook, input.version);
  const { language, typed, profile, role } = checkInputs(deps, input, version);
  const now = deps.clock.now();
  const id = input.fire?.runId ?? deps.ids.next('run');
  if (input.idempotencyKey) {
    const expires = new Date(now.getTime() + deps.runSettings.idempotencySeconds * 1000).toISOString();
    const owner = await deps.runs.claimIdempotencyKey(
      input.user.id,
      input.idempotencyKey,
      id,
      now.toISOString(),
      expires,
    );
    if (owner !== id) return sameRequest(await waitForRun(deps, owner), notebook.id, input.idempotencyKey);
  }
  const run: Run = {
    id,
    notebookId: notebook.id,
    // The title as it is now, not a live join: the run names what was run, as papermill names its output.
    notebookTitle: notebook.title,
    version: version.version,
    owner: input.user.id,
    notebookOwner: notebook.owner,
    language,
    parameters: Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, toPapermillJson(v)])),
    typedParameters: Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, storeTyped(v)])),
    profile,
    timeoutSeconds: input.timeoutSeconds ?? deps.runSettings.defaultTimeoutSeconds,
    cellTimeoutSeconds: input.cellTimeoutSeconds ?? null,
    status: 'CREATED',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    error: null,
    idempotencyKey: input.idempotencyKey ?? null,
    rerunOf: input.rerunOf ?? null,
    inputKey: `runs/${id}/input.ipynb`,
    outputKey: `runs/${id}/output.ipynb`,
    hasOutput: false,
    outputTruncated: false,
    stopRequestedBy: null,
    role: role?.name ?? null,
    // The tag's team is decided now: later, when the runner asks for keys, no caller's teams are at hand.
    roleTeam: role ? (input.fire?.roleTeam ?? teamFor(input.user, role)) : null,
    runTokenHash: null,
    scheduleId: input.fire?.scheduleId ?? null,
    dueAt: input.fire?.dueAt ?? null,
    attempt: input.fire?.attempt ?? 0,
  };
  try {
    await deps.runs.createRun(run);
  } catch (err) {
    if (input.idempotencyKey) await deps.runs.releaseIdempotencyKey(input.user.id, input.idempotencyKey, id);
    // A fire delivered twice finds the run its first delivery recorded: that run, not a second one.
    if (input.fire && err instanceof ConflictError) return resumeFire(deps, id);
    throw err;
  }
  return launch(deps, run);
};

// The first delivery may have stopped between recording the run and starting its workflow; starting it again is
// safe (the workflow's execution name is the run id), and a run already past CREATED is left as it is.
const resumeFire = async (deps: StartRunDeps, id: string): Promise<Run> => {
  const run = await deps.runs.getRun(id);
  if (!run) throw new ConflictError(`run ${id} is being recorded by another delivery of the same fire`, 'fire_busy');
  return run.status === 'CREATED' ? launch(deps, run) : run;
};

/** What a run's inputs come to once checked: the kernel's language, typed values, the profile and the role. */
export type CheckedRunInputs = ReturnType<typeof checkInputs>;

/**
 * Checks names, values, what the kernel's language can hold, the profile and the role, before anything starts
 * (also what a schedule is checked with when saved).
 */
export const checkRunInputs = (
  deps: Pick<StartRunDeps, 'profiles' | 'roles'>,
  input: Pick<StartRunInput, 'user' | 'parameters' | 'allowUnknownParameters' | 'profile' | 'role'>,
  version: NotebookVersion,
) => checkInputs(deps, input, version);

const checkInputs = (
  deps: Pick<StartRunDeps, 'profiles' | 'roles'>,
  input: Pick<
    StartRunInput,
    'user' | 'parameters' | 'allowUnknownParameters' | 'profile' | 'role' | 'carriedParameters'
  >,
  version: NotebookVersion,
) => {
  const language = translatorFor(version.kernel.language ?? 'python').language;
  const values = input.parameters ?? {};
  checkParameterNames(language, Object.keys(values));
  const carried = Object.fromEntries(Object.entries(input.carriedParameters ?? {}).map(([k, v]) => [k, loadTyped(v)]));
  const typed = {
    ...carried,
    ...checkParameterValues(version.parameters, values, { allowUnknown: input.allowUnknownParameters ?? false }),
  };
  // Translating now turns what the language cannot hold (a list for bash, NUL for R) into a 400, not a failed run.
  const translator = translatorFor(language);
  for (const [name, value] of Object.entries(typed)) translator.assign(name, value);
  const profile = profileFor(input.user, deps.profiles, input.profile).slug;
  const role = input.role ? roleFor(input.user, deps.roles, input.role) : null;
  return { language, typed, profile, role };
};

// A key names one request: reusing it for another notebook is a mistake worth saying, not a silent replay.
const sameRequest = (run: Run, notebookId: string, key: string): Run => {
  if (run.notebookId !== notebookId)
    throw new ConflictError(
      `idempotency key '${key}' was used for a run of ${run.notebookId} (${run.id}); use a new key`,
      'idempotency_key_reused',
    );
  return run;
};

const launch = async (deps: StartRunDeps, run: Run): Promise<Run> => {
  try {
    await deps.workflows.startRun(run.id);
  } catch (err) {
    const at = deps.clock.now().toISOString();
    const failed = await deps.runs.moveRun(run.id, ['CREATED', 'STOPPING'], {
      status: 'FAILED',
      endedAt: at,
      updatedAt: at,
      error: {
        reason: `the run could not be started: ${(err as Error).message}`,
        cellIndex: null,
        ename: null,
        evalue: null,
        traceback: [],
      },
    });
    return failed ?? run;
  }
  const queued = await deps.runs.moveRun(run.id, ['CREATED'], {
    status: 'QUEUED',
    updatedAt: deps.clock.now().toISOString(),
  });
  return queued ?? (await deps.runs.getRun(run.id)) ?? run;
};

// The winner of an idempotency race records its run a moment after claiming the key.
const waitForRun = async (deps: StartRunDeps, id: string): Promise<Run> => {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const run = await deps.runs.getRun(id);
    if (run) return run;
    await new Promise((resolve) => setTimeout(resolve, 20 * Math.min(attempt + 1, 10)));
  }
  throw new ValidationError(`idempotency key is held by run ${id}, which was never recorded; use another key`);
};
