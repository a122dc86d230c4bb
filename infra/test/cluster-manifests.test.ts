import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { loadAll } from 'js-yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Role as KubeRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { describe, expect, it } from 'vitest';
import { renderClusterFiles } from '../../functions/src/adapters/k8s/cluster-manifests.ts';
import { CLUSTER_DEFAULTS, CLUSTER_GROUP_KEYS } from '#functions/contracts';
import { loadConfig } from '../../functions/src/config/config.ts';
import { loadInfraConfig } from '../lib/config.ts';
import { clusterSetupOf, ComputeAccessStack } from '../lib/stacks/compute-access-stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const K8S = join(ROOT, 'infra', 'k8s');
const EXAMPLE = join(ROOT, 'infra', 'orrery.config.example.json');

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  Namespace,
  ServiceAccount,
  Role: KubeRole,
  RoleBinding,
  NetworkPolicy,
  StorageClass,
};

/** The committed kustomization's files, and the configuration its header says it was generated from. */
const committed = () => {
  const files = Object.fromEntries(
    readdirSync(K8S)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [f, readFileSync(join(K8S, f), 'utf8')]),
  );
  const source = /--config (\S+)`/.exec(files['kustomization.yaml'] ?? '')?.[1];
  return { files, source };
};

const objectsOf = (files: Record<string, string>) =>
  Object.entries(files)
    .filter(([file]) => file !== 'kustomization.yaml')
    .flatMap(([, text]) => loadAll(text) as Record<string, any>[]);

const withEks = (eks: Record<string, unknown>) => {
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  const path = join(mkdtempSync(join(tmpdir(), 'orrery-config-')), 'orrery.config.json');
  writeFileSync(path, JSON.stringify({ ...example, eks: { ...example.eks, ...eks } }));
  return path;
};

describe('infra/k8s', () => {
  it('is exactly what the builders make from the configuration its header names (npm run k8s:manifests)', () => {
    // Prepare
    const { files, source } = committed();
    // Act
    const expected = renderClusterFiles(clusterSetupOf(loadInfraConfig(join(ROOT, source!))), source!);
    // Assess
    expect(source).toBe('infra/orrery.config.example.json');
    expect(files).toEqual(expected);
  });

  it('holds only objects that validate against the Kubernetes schemas', () => {
    // Act
    const objects = objectsOf(committed().files);
    // Assess
    expect(objects).toHaveLength(29);
    for (const object of objects) {
      expect(() => new MODELS[object.kind]!(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('names the namespaces, service accounts and groups the CDK stacks use', () => {
    // Prepare
    const config = loadInfraConfig(EXAMPLE);
    const app = new App();
    const roles = new Stack(app, 'roles', { env: config.env });
    const clusterAccess = CLUSTER_GROUP_KEYS.map((group) => ({
      group,
      role: new Role(roles, group, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
    }));
    const template = Template.fromStack(
      new ComputeAccessStack(app, 'compute-access', { env: config.env, config, clusterAccess }),
    );
    const objects = objectsOf(committed().files);
    // Act
    const bound = objects
      .filter((o) => o.kind === 'RoleBinding' && o.subjects[0].kind === 'Group')
      .map((o) => o.subjects[0].name)
      .sort();
    const accounts = objects
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
      .sort();
    // Assess
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry')).flatMap(
      (r) => r.Properties.KubernetesGroups as string[],
    );
    const associations = Object.values(template.findResources('AWS::EKS::PodIdentityAssociation')).map(
      (r) => `${r.Properties.Namespace}/${r.Properties.ServiceAccount}`,
    );
    expect(bound).toEqual([...entries].sort());
    // Every service account but the servers' and Spark's has a Pod Identity association: server and executor pods
    // take AWS keys from their credentials sidecar, which an association's injected variables would shadow.
    const sidecarAccounts = [
      config.eks.serverServiceAccount,
      CLUSTER_DEFAULTS.sparkDriverServiceAccount,
      CLUSTER_DEFAULTS.sparkExecutorServiceAccount,
    ].map((a) => `${config.eks.serverNamespace}/${a}`);
    expect(accounts).toEqual([...associations, ...sidecarAccounts].sort());
  });

  it('defaults the functions’ namespaces to the very names the infra configuration defaults to', () => {
    // Prepare
    const { eks } = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    const infra = loadInfraConfig(withEks({ ...eks, serverNamespace: undefined, runnerNamespace: undefined }));
    // Act
    const functions = loadConfig({ ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', ORRERY_CURSOR_SECRET: 'x'.repeat(32) });
    // Assess
    expect([functions.eks.namespace, functions.runSettings.runner.namespace]).toEqual([
      CLUSTER_DEFAULTS.serverNamespace,
      CLUSTER_DEFAULTS.runnerNamespace,
    ]);
    expect([infra.eks.serverNamespace, infra.eks.runnerNamespace]).toEqual(['orrery-servers', 'orrery-runs']);
  });
});

describe('the eks section of the configuration', () => {
  it('refuses the old single namespace with the two fields that replaced it', () => {
    // Prepare
    const path = withEks({ namespace: 'orrery' });
    // Act
    const load = () => loadInfraConfig(path);
    // Assess
    expect(load).toThrow(/eks\.namespace: replaced by eks\.serverNamespace and eks\.runnerNamespace/);
  });

  it('refuses one namespace for both servers and runner Jobs', () => {
    // Prepare
    const path = withEks({ serverNamespace: 'orrery', runnerNamespace: 'orrery' });
    // Act
    const load = () => loadInfraConfig(path);
    // Assess
    expect(load).toThrow(/eks\.runnerNamespace: serverNamespace and runnerNamespace must differ/);
  });

  it('refuses a control plane range that is no CIDR, naming the field', () => {
    // Prepare
    const path = withEks({ network: { controlPlaneCidrs: ['10.0.0.0'] } });
    // Act
    const load = () => loadInfraConfig(path);
    // Assess
    expect(load).toThrow(/eks\.network\.controlPlaneCidrs\.0: a CIDR such as 10\.0\.0\.0\/16/);
  });
});
