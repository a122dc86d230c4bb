import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATEMACHINES_DIR } from '#functions/contracts';
import { checkExampleApp, checkStateMachines } from '../../scripts/check-asl.ts';
import { loadInfraConfig } from '../lib/config.ts';
import { STATE_MACHINES, stateMachineName } from '../lib/names.ts';
import type { DataStack } from '../lib/stacks/data-stack.ts';
import { WorkflowsStack, machineKeyOf } from '../lib/stacks/workflows-stack.ts';

const config = loadInfraConfig(join(import.meta.dirname, '..', 'orrery.config.example.json'));

/** A stand-in for the data stack (being written separately) with the three fields the stateless stacks use. */
const fakeData = (app: App): DataStack => {
  const stack = new Stack(app, 'data', { env: config.env });
  const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  table.addGlobalSecondaryIndex({
    indexName: 'gsi1',
    partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
    projectionType: ProjectionType.ALL,
  });
  return {
    table,
    bucket: new Bucket(stack, 'Bucket'),
    cursorSecret: new Secret(stack, 'CursorSecret'),
  } as unknown as DataStack;
};

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** A logical id without the hash CDK appends: `RunStateMachineRole9DC7C49F` → `RunStateMachineRole`. */
const withoutHash = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');

/** Every IAM statement of a template: its policies' and any inline in its roles. */
const statementsOf = (template: Template): Statement[] =>
  [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) => r.Properties.Policies ?? []),
  ].flatMap((policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement);

describe('WorkflowsStack', () => {
  let stack: WorkflowsStack;
  let template: Template;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new WorkflowsStack(app, 'workflows', {
      env: config.env,
      config,
      data: fakeData(app),
      apiUrl: 'https://api.example.com/api',
    });
    template = Template.fromStack(stack);
  });

  it('makes one Standard state machine per ASL file, named as names.ts says, logging ALL events without execution data, with tracing', () => {
    // Prepare
    const files = readdirSync(STATEMACHINES_DIR).filter((f) => f.endsWith('.asl.json'));
    // Act
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    // Assess
    expect(Object.keys(machines)).toHaveLength(files.length);
    for (const file of files) {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: stateMachineName(config, machineKeyOf(file)),
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        // Execution data (states' inputs and outputs) carries presigned URLs: never in the month-long log.
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      });
    }
  });

  it('refuses an ASL file it does not know, naming the known ones', () => {
    expect(() => machineKeyOf('mystery.asl.json')).toThrow(/known: run-notebook/);
    expect(machineKeyOf(`${STATE_MACHINES.stopRun}.asl.json`)).toBe('stopRun');
  });

  it('leaves no ${…} placeholder and lets each role invoke exactly the functions its definition names', () => {
    // Act
    const checks = checkStateMachines(template.toJSON());
    // Assess
    expect(checks).toHaveLength(3);
    for (const c of checks) {
      expect(c.placeholders, c.name).toEqual([]);
      expect(c.problems, c.name).toEqual([]);
      expect(c.invokable, c.name).toEqual(c.referenced);
    }
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName[stateMachineName(config, 'run')]!.referenced).toHaveLength(3);
    expect(byName[stateMachineName(config, 'launchServer')]!.referenced).toHaveLength(1);
    expect(byName[stateMachineName(config, 'stopRun')]!.referenced).toHaveLength(0);
  });

  it('finds a placeholder left in a definition and a function the role may not invoke', () => {
    // Prepare
    const broken = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function' },
        Role: { Type: 'AWS::IAM::Role' },
        Sm: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: 'x',
            RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
            DefinitionString: { 'Fn::Join': ['', ['{"a":"${Missing}","f":"', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '"}']] },
          },
        },
      },
    };
    // Act
    const [check] = checkStateMachines(broken);
    // Assess
    expect(check!.problems).toEqual([
      'placeholder ${Missing} left unsubstituted',
      'names <Fn.Arn> but its role may not invoke it',
    ]);
  });

  it('puts the server-task role and the roles of the machines that call EKS into clusterRoles', () => {
    // Four Lambdas plus the machines using eks:runJob.sync / eks:call (run, stop-run); launch-server goes through its
    // Lambda.
    expect(stack.clusterRoles).toHaveLength(3);
    expect(stack.clusterRoles).toContain(stack.stateMachines.run!.role);
    expect(stack.clusterRoles).toContain(stack.stateMachines.stopRun!.role);
    expect(stack.clusterRoles).not.toContain(stack.stateMachines.launchServer!.role);
  });

  it('gives the task functions the environment the functions read', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.prepare',
      Environment: {
        Variables: Match.objectLike({
          ORRERY_EKS_CLUSTER: 'data-platform',
          ORRERY_RUNNER_NAMESPACE: 'orrery-runs',
          ORRERY_PUBLIC_API_URL: 'https://api.example.com/api',
          ORRERY_CURSOR_SECRET_ARN: Match.absent(),
          ORRERY_CURSOR_SECRET: Match.absent(),
          ORRERY_RUN_STATE_MACHINE_ARN: Match.anyValue(),
        }),
      },
    });
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(4);
  });

  it('lets Prepare read bodies and write runs/, Finalize read runs/, and no task touch uploads or the rendered cache', () => {
    // Prepare
    const byHandler = Object.fromEntries(
      Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => [
        fn.Properties.Handler,
        fn.Properties.Role['Fn::GetAtt'][0],
      ]),
    );
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const s3Of = (handler: string) =>
      policies
        .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === byHandler[handler]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')))
        .map((st) => `${[st.Action].flat().join('+')} ${JSON.stringify(st.Resource).replace(/.*"(\/[^"]*)".*/, '$1')}`);

    // Act
    const access = {
      prepare: s3Of('index.prepare'),
      markStarted: s3Of('index.markStarted'),
      finalize: s3Of('index.finalize'),
      server: s3Of('index.handler'),
    };

    // Assess
    expect(access).toEqual({
      prepare: ['s3:GetObject /bodies/*', 's3:GetObject+s3:PutObject /runs/*'],
      markStarted: [],
      finalize: ['s3:GetObject /runs/*'],
      server: [],
    });
  });

  it('grants no * action and no * resource except where AWS accepts nothing else', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    // Act
    const roles = policies.flatMap((p) => (p.Properties.Roles as { Ref: string }[]).map((r) => withoutHash(r.Ref)));
    const statements = statementsOf(template);
    // Assess: the loop below checks the policies of the four functions and three machines, so it cannot pass on none.
    expect(roles.sort()).toEqual([
      'FinalizeRunServiceRole',
      'LaunchServerStateMachineRole',
      'MarkRunStartedServiceRole',
      'PrepareRunServiceRole',
      'RunStateMachineRole',
      'ServerTasksServiceRole',
      'StopRunStateMachineRole',
    ]);
    for (const st of statements) {
      const actions = [st.Action].flat();
      expect(actions).not.toContain('*');
      const onlyWhereAwsNeedsIt = actions.every((a) => a.startsWith('xray:') || a.startsWith('logs:'));
      if ([st.Resource].flat().includes('*')) expect(onlyWhereAwsNeedsIt).toBe(true);
    }
  });

  it('passes cdk-nag AwsSolutions with every finding acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });

  it('synthesizes the whole app with cdk-nag and passes the ASL check (check:asl)', () => {
    // Synth throws on any unacknowledged cdk-nag error in any stack.
    const checks = checkExampleApp();
    expect(checks.map((c) => [c.name, c.problems])).toEqual(
      [
        ['orrery-launch-server', []],
        ['orrery-run-notebook', []],
        ['orrery-stop-run', []],
      ].sort(),
    );
  }, 120_000);
});
