import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { InfraConfig } from './config.ts';

/** The state machines, named from the config so other stacks build their ARNs without a reference (and a cycle). */
export const STATE_MACHINES = { run: 'run-notebook', stopRun: 'stop-run', launchServer: 'launch-server' } as const;

/** The deterministic name of one of Orrery's state machines. */
export const stateMachineName = (config: InfraConfig, key: keyof typeof STATE_MACHINES): string =>
  `${config.name}-${STATE_MACHINES[key]}`;

/** The ARN a state machine will have, built from its name: the API needs it before the workflows stack exists. */
export const stateMachineArn = (scope: Stack, config: InfraConfig, key: keyof typeof STATE_MACHINES): string =>
  Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName(config, key),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/** A construct id part from a lowercase name (`servers` → `Servers`). */
export const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
