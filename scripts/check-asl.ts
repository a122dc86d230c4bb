// Checks the rendered state machines: every ${…} placeholder substituted, every Lambda it names invokable by its role.
// Run: node --import tsx scripts/check-asl.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeApp } from '../infra/lib/app.ts';
import { loadInfraConfig } from '../infra/lib/config.ts';

type Json = unknown;
type Resource = { Type: string; Properties?: Record<string, Json> };

/** What the check found for one state machine. */
export interface MachineCheck {
  name: string;
  placeholders: string[];
  referenced: string[];
  invokable: string[];
  problems: string[];
}

// A CloudFormation value as comparable text: literals as they are, GetAtt/Ref/ImportValue as `<…>`.
const render = (value: Json): string => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join(',');
  if (value && typeof value === 'object') {
    const [fn, arg] = Object.entries(value)[0] ?? [];
    if (fn === 'Fn::Join') {
      const [sep, parts] = arg as [string, Json[]];
      return parts.map(render).join(sep);
    }
    if (fn === 'Fn::GetAtt') return `<${(arg as string[]).join('.')}>`;
    if (fn === 'Ref') return `<${String(arg)}>`;
    if (fn === 'Fn::ImportValue') return `<import:${render(arg)}>`;
    return `<${fn}:${JSON.stringify(arg)}>`;
  }
  return String(value);
};

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The Lambda ARNs a rendered definition names: GetAtt of a function in the stack, or a literal Lambda ARN. */
const lambdaArnsIn = (definition: string, resources: Record<string, Resource>): string[] => {
  const fromStack = [...definition.matchAll(/<([A-Za-z0-9]+)\.Arn>/g)]
    .map((m) => m[1]!)
    .filter((id) => resources[id]?.Type === 'AWS::Lambda::Function')
    .map((id) => `<${id}.Arn>`);
  const literal = [...definition.matchAll(/arn:aws[a-z-]*:lambda:[^"\s]+/g)].map((m) => m[0]);
  return [...new Set([...fromStack, ...literal])].sort();
};

/** The resources a role may call lambda:InvokeFunction on, from the stack's policies attached to it. */
const invokableBy = (roleId: string, resources: Record<string, Resource>): string[] => {
  const arns = new Set<string>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const roles = asList(r.Properties?.Roles as Json[]).map(render);
    if (!roles.includes(`<${roleId}>`)) continue;
    const doc = r.Properties?.PolicyDocument as { Statement?: Json[] };
    for (const st of asList(doc?.Statement) as { Effect?: string; Action?: string | string[]; Resource?: Json }[]) {
      const actions = asList(st.Action);
      if (st.Effect !== 'Allow' || !actions.some((a) => a === 'lambda:InvokeFunction' || a === 'lambda:*' || a === '*'))
        continue;
      for (const res of asList(st.Resource as Json[])) arns.add(render(res));
    }
  }
  return [...arns].sort();
};

/** Checks every state machine in a synthesized template; a machine with no problems has `problems: []`. */
export const checkStateMachines = (template: { Resources?: Record<string, Resource> }): MachineCheck[] => {
  const resources = template.Resources ?? {};
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id, r]) => {
      const props = r.Properties ?? {};
      const definition = render(props.DefinitionString ?? JSON.stringify(props.Definition ?? ''));
      const name = typeof props.StateMachineName === 'string' ? props.StateMachineName : id;
      const placeholders = [...new Set([...definition.matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]))];
      const roleId = /^<([A-Za-z0-9]+)\.Arn>$/.exec(render(props.RoleArn))?.[1];
      const referenced = lambdaArnsIn(definition, resources);
      const invokable = roleId ? invokableBy(roleId, resources) : [];
      const problems = [
        ...placeholders.map((p) => `placeholder ${p} left unsubstituted`),
        ...(roleId ? [] : ['its role is not in this stack, so its permissions cannot be checked']),
        ...referenced
          .filter((a) => !invokable.includes(a) && !invokable.includes('*'))
          .map((a) => `names ${a} but its role may not invoke it`),
        ...invokable
          .filter((a) => !referenced.includes(a))
          .map((a) => `its role may invoke ${a}, which it never names`),
      ];
      return { name, placeholders, referenced, invokable, problems };
    });
};

/** Synthesizes the app with the example configuration and checks the workflows stack's state machines. */
export const checkExampleApp = (
  configPath = join(import.meta.dirname, '..', 'infra', 'orrery.config.example.json'),
): MachineCheck[] => {
  const outdir = mkdtempSync(join(tmpdir(), 'orrery-check-asl-'));
  try {
    const { app, stacks } = makeApp(loadInfraConfig(configPath), { bundle: false, outdir });
    const assembly = app.synth();
    return checkStateMachines(assembly.getStackArtifact(stacks.workflows.artifactId).template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const checks = checkExampleApp();
  for (const c of checks)
    console.log(
      `${c.problems.length ? 'FAIL' : 'ok  '} ${c.name}: invokes ${c.referenced.length} function(s)` +
        c.problems.map((p) => `\n     - ${p}`).join(''),
    );
  if (!checks.length) console.log('FAIL no state machines in the workflows stack');
  process.exit(checks.length && checks.every((c) => !c.problems.length) ? 0 : 1);
}
