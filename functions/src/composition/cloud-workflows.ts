import type { Config } from '../config/config.ts';
import type { ServerWorkflows, Workflows } from '../ports/workflows.ts';
import { lazyPort, type PortMethods } from './lazy-port.ts';

const WORKFLOWS: PortMethods<Workflows & ServerWorkflows> = { startRun: true, stopRun: true, launchServer: true };

/**
 * The cloud's workflows: the state machines CDK deployed. Their ARNs are checked at cold start; the Step
 * Functions client loads on the first start or stop, which only a few routes make (most read records).
 */
export const makeCloudWorkflows = (config: Config): Workflows & ServerWorkflows => {
  const { run, stopRun, launchServer } = config.stateMachines;
  if (!run || !stopRun || !launchServer) {
    throw new Error(
      'configuration: set ORRERY_RUN_STATE_MACHINE_ARN, ORRERY_STOP_RUN_STATE_MACHINE_ARN ' +
        'and ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN',
    );
  }
  return lazyPort(async () => {
    const { makeSfnClient, StepFunctionsWorkflows } = await import('../adapters/aws/step-functions-workflows.ts');
    return new StepFunctionsWorkflows(makeSfnClient(config.region), { run, stopRun, launchServer });
  }, WORKFLOWS);
};
