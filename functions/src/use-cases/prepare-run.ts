import { RUNNER_DEADLINE_MARGIN_SECONDS } from '../domain/run-output.ts';
import { NotFoundError, RunStoppedError } from '../domain/errors.ts';
import { injectParameters } from '../domain/inject-parameters.ts';
import { parseNotebook } from '../domain/nbformat.ts';
import { profileOfRun, type Profile } from '../domain/profile.ts';
import { hashRunToken, TERMINAL_STATUSES } from '../domain/run.ts';
import { loadTyped } from '../domain/typed-values.ts';
import type { FoliumDeps } from './folium-deps.ts';
import type { RunDeps } from './run-deps.ts';

/** What preparing a run needs: its record and profile, the version's body, the run's files, and a secret. */
export type PrepareRunDeps = Pick<RunDeps, 'runs' | 'runFiles' | 'profiles'> &
  Pick<FoliumDeps, 'notebooks' | 'bodies' | 'clock' | 'ids'>;

/** What marking a run started needs. */
export type MarkRunStartedDeps = Pick<RunDeps, 'runs'> & Pick<FoliumDeps, 'clock'>;

/** What the launch step needs: where the runner reads and writes, and its deadline. */
export interface PreparedRun {
  runId: string;
  inputUrl: string;
  outputUrl: string;
  timeoutSeconds: number;
  cellTimeoutSeconds: number | null;
  profile: string;
  /** The AWS role the runner serves its kernel keys for; null for none. */
  role: string | null;
  /** The Step Functions deadline of the launch: the run's own timeout plus room to schedule and pull. */
  launchTimeoutSeconds: number;
}

/**
 * The prepared run, the profile it launches with (its pool, image and resources) and its run token, for the runner
 * Job. The token is kept out of PreparedRun, which the workflow's state carries on to later steps.
 */
export interface PreparedLaunch {
  prepared: PreparedRun;
  profile: Profile;
  /** The secret that opens POST /runs/{id}/credentials while the run lasts; only its hash is stored. */
  runToken: string;
}

// Room for scheduling, image pulls and the kernel's start before the run's own clock matters.
const LAUNCH_MARGIN_SECONDS = 300;
// Past the Job's deadline (the run's timeout plus RUNNER_DEADLINE_MARGIN_SECONDS), room for the pod's grace
// period and the final save; the runner's URLs are worth nothing after that.
const URL_MARGIN_SECONDS = 60;

/**
 * The workflow's first step: writes the parameterized input notebook.
 * 1. Load the run; a run already stopping ends here (RunStoppedError), so a cancel during launch never launches.
 *    Find its profile: one removed from the registry since the run started ends it here too (NotFoundError that
 *    names the profiles left), rather than launching on another profile's pool and price.
 * 2. Read the version's body, inject the run's exact parameters after the `parameters` cell, store it.
 * 3. Presign the input (GET) and output (PUT) for the runner, valid until the Job's deadline and a minute more,
 *    so a URL that leaks is worth little: hours of validity would let it replace the output long after the run.
 * 4. Mint the run token and store its hash (a preparation retried mints a new one: the last Job's counts); a run
 *    stopped meanwhile ends here. Its credentials route refuses it once the run has ended.
 */
export const prepareRun = async (deps: PrepareRunDeps, input: { runId: string }): Promise<PreparedLaunch> => {
  const run = await deps.runs.getRun(input.runId);
  if (!run) throw new NotFoundError(`run ${input.runId} not found`);
  if (run.status === 'STOPPING' || TERMINAL_STATUSES.has(run.status))
    throw new RunStoppedError(`run ${run.id} is ${run.status}; not launching it`);
  const profile = profileOfRun(deps.profiles, run.profile);
  const version = await deps.notebooks.getVersion(run.notebookId, run.version);
  if (!version) throw new NotFoundError(`version ${run.version} of ${run.notebookId} not found`);
  const { notebook } = parseNotebook(new TextDecoder().decode(await deps.bodies.getBody(version.sha256)));
  const values = Object.fromEntries(Object.entries(run.typedParameters).map(([k, v]) => [k, loadTyped(v)]));
  const parameterized = injectParameters(notebook, run.language, values);
  await deps.runFiles.put(run.inputKey, new TextEncoder().encode(`${JSON.stringify(parameterized, null, 1)}\n`));
  const seconds = run.timeoutSeconds + RUNNER_DEADLINE_MARGIN_SECONDS + URL_MARGIN_SECONDS;
  const [inputUrl, outputUrl] = await Promise.all([
    deps.runFiles.presignGet(run.inputKey, seconds),
    deps.runFiles.presignPut(run.outputKey, seconds),
  ]);
  const runToken = deps.ids.secret();
  const hashed = await deps.runs.moveRun(run.id, ['CREATED', 'QUEUED'], {
    runTokenHash: hashRunToken(runToken),
    updatedAt: deps.clock.now().toISOString(),
  });
  if (!hashed) throw new RunStoppedError(`run ${run.id} stopped while it was prepared; not launching it`);
  const prepared = {
    runId: run.id,
    inputUrl: inputUrl.url,
    outputUrl: outputUrl.url,
    timeoutSeconds: run.timeoutSeconds,
    cellTimeoutSeconds: run.cellTimeoutSeconds ?? null,
    profile: run.profile,
    role: run.role ?? null,
    launchTimeoutSeconds: run.timeoutSeconds + LAUNCH_MARGIN_SECONDS,
  };
  return { prepared, profile, runToken };
};

/** The workflow step before launch: QUEUED → IN_PROGRESS; a stopping run ends here. */
export const markRunStarted = async (deps: MarkRunStartedDeps, input: { runId: string }): Promise<void> => {
  const at = deps.clock.now().toISOString();
  const moved = await deps.runs.moveRun(input.runId, ['CREATED', 'QUEUED'], {
    status: 'IN_PROGRESS',
    startedAt: at,
    updatedAt: at,
  });
  if (!moved) throw new RunStoppedError(`run ${input.runId} is no longer waiting to start`);
};
