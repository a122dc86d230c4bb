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

/**
 * The schedules stack's resources that the API's schedules function names in its environment and policy: named from
 * the config, so the API stack (built before the schedules stack, which takes its URL) refers to none of them.
 * The role is global to the account, so its name carries the region as the broker role's does.
 */
export const scheduleNames = (config: Pick<InfraConfig, 'name' | 'env'>) => ({
  group: `${config.name}-reruns`,
  fireFunction: `${config.name}-fire-schedule`,
  deadLetterQueue: `${config.name}-rerun-dlq`,
  schedulerRole: `${config.name}-scheduler-${config.env.region}`,
});

/** The ARNs those resources will have, and the pattern of the schedules in the group. */
export const scheduleArns = (scope: Stack, config: Pick<InfraConfig, 'name' | 'env'>) => {
  const names = scheduleNames(config);
  const stack = Stack.of(scope);
  return {
    groupName: names.group,
    fireFunction: stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: names.fireFunction,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    deadLetterQueue: stack.formatArn({
      service: 'sqs',
      resource: names.deadLetterQueue,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    }),
    schedulerRole: stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: names.schedulerRole }),
    schedules: stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${names.group}/*` }),
  };
};
