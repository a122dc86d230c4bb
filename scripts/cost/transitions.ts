// Counting Step Functions state transitions from the ASL files themselves: a Standard workflow is billed per state
// entered (retries included), so a run's or a launch's price follows the states on its happy path.
import { readAsl } from '#functions/contracts';
import { STATE_MACHINES } from '../../infra/lib/names.ts';
import type { WorkflowPath, Workflows } from './model.ts';

/** The part of an ASL state the walk reads. */
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Seconds?: number;
  Resource?: string;
}

/** The part of an ASL document the walk reads. */
export interface Asl {
  StartAt: string;
  States: Record<string, AslState>;
}

/** Where a state may go without an error: Next, a Choice's branches and Default (never a Catch). */
const successorsOf = (state: AslState): string[] => [
  ...(state.Next ? [state.Next] : []),
  ...(state.Choices ?? []).map((c) => c.Next),
  ...(state.Default ? [state.Default] : []),
];

const stateOf = (asl: Asl, name: string): AslState => {
  const state = asl.States[name];
  if (!state)
    throw new Error(`the state machine has no state ${name}; its states: ${Object.keys(asl.States).join(', ')}`);
  return state;
};

/** The states of the shortest error-free path from `from` to `to`, both included (breadth first). */
const shortestPath = (asl: Asl, from: string, to: string): string[] => {
  stateOf(asl, to);
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const name = queue.shift()!;
    if (name === to) {
      const path: string[] = [];
      for (let at: string | null | undefined = to; at != null; at = cameFrom.get(at)) path.unshift(at);
      return path;
    }
    for (const next of successorsOf(stateOf(asl, name)))
      if (!cameFrom.has(next)) {
        cameFrom.set(next, name);
        queue.push(next);
      }
  }
  throw new Error(`no path from ${from} to ${to} without errors`);
};

/** The states a successful execution enters, from StartAt to `goal` (the state it ends in), in order. */
export const happyPath = (asl: Asl, goal: string): string[] => shortestPath(asl, asl.StartAt, goal);

/** The states one more turn of a polling loop enters: from just after `loopStart` round to it again. */
export const loopOf = (asl: Asl, loopStart: string): string[] => {
  const turns = successorsOf(stateOf(asl, loopStart)).flatMap((next) => {
    try {
      return [shortestPath(asl, next, loopStart)];
    } catch {
      return [];
    }
  });
  if (!turns.length) throw new Error(`${loopStart} is not on a loop`);
  return turns.reduce((a, b) => (b.length < a.length ? b : a));
};

/** The seconds a Wait state waits (only fixed `Seconds` are read). */
export const waitSeconds = (asl: Asl, name: string): number => {
  const state = stateOf(asl, name);
  if (state.Type !== 'Wait' || typeof state.Seconds !== 'number')
    throw new Error(`${name} is not a Wait state with fixed Seconds`);
  return state.Seconds;
};

/** Log events a state writes at log level ALL: Task states five (entered, scheduled, started, succeeded, exited). */
export const logEventsOf = (asl: Asl, states: readonly string[]): number =>
  states.reduce((sum, name) => sum + (stateOf(asl, name).Type === 'Task' ? 5 : 2), 0);

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** The state a completed run ends in, the state a launched server ends in, and the launch's polling Wait. */
export const HAPPY_ENDS = { run: 'Finalize', launch: 'Done', launchPoll: 'WaitForJupyter' } as const;

const pathOf = (asl: Asl, states: readonly string[]): WorkflowPath => ({
  transitions: states.length,
  lambdaTasks: states.filter((name) => stateOf(asl, name).Resource === LAMBDA_INVOKE).length,
  logEvents: logEventsOf(asl, states),
});

/** The two workflows' billable shapes, from their ASL. */
export const workflowsOf = (run: Asl, launch: Asl): Workflows => ({
  run: pathOf(run, happyPath(run, HAPPY_ENDS.run)),
  launch: {
    once: pathOf(launch, happyPath(launch, HAPPY_ENDS.launch)),
    poll: pathOf(launch, loopOf(launch, HAPPY_ENDS.launchPoll)),
    pollSeconds: waitSeconds(launch, HAPPY_ENDS.launchPoll),
  },
});

/** The workflows' shapes from statemachines/run-notebook.asl.json and launch-server.asl.json. */
export const readWorkflows = (): Workflows =>
  workflowsOf(JSON.parse(readAsl(STATE_MACHINES.run)), JSON.parse(readAsl(STATE_MACHINES.launchServer)));
