import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsWorkflows } from '../adapters/aws/step-functions-workflows.ts';
import type { ServerWorkflows, Workflows } from '../ports/workflows.ts';
import type { Config } from './config.ts';

/** The cloud's workflows: the state machines CDK deployed. */
export const makeCloudWorkflows = (config: Config): Workflows & ServerWorkflows => {
  const { run, stopRun, launchServer } = config.stateMachines;
  if (!run || !stopRun || !launchServer) throw new Error('configuration: set ORRERY_RUN_STATE_MACHINE_ARN, ORRERY_STOP_RUN_STATE_MACHINE_ARN and ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN');
  return new StepFunctionsWorkflows(new SFNClient({ region: config.region }), { run, stopRun, launchServer });
};

/**
 * Workflows for functions that start none (the workflows' own tasks, the culler): the dependency types ask
 * for them, and a call would be a wiring mistake, so it fails loudly rather than doing something else.
 */
export const workflowsNotWired = (where: string): Workflows & ServerWorkflows => {
  const fail = async (): Promise<never> => {
    throw new Error(`${where} starts no workflows; this call is a wiring mistake`);
  };
  return { startRun: fail, stopRun: fail, launchServer: fail };
};
