import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../../../src/config/cloud-config.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { DEFAULT_ROLES, parseRolesJson } from '../../../src/config/role-registry.ts';
import { loadRoles, parseRoles } from '../../../src/config/roles-config.ts';
import { thrownMessage } from '../../support/rejection.ts';

const YAML = `
- name: ads-analyst
  roleArn: arn:aws:iam::123456789012:role/orrery/ads-analyst
  account: ads-dev
  environment: dev
  maxSessionSeconds: 3600
  teams: [ads]
  description: the ads lake
- name: gov
  roleArn: arn:aws-us-gov:iam::123456789012:role/gov
  account: gov-prod
  environment: prod
  maxSessionSeconds: 43200
  users: [alice]
`;

// One valid entry as JSON; tests break one field at a time.
const entry = (over: Record<string, unknown> = {}) => ({
  name: 'sandbox',
  roleArn: 'arn:aws:iam::123456789012:role/sandbox',
  account: 'sandbox',
  environment: 'dev',
  maxSessionSeconds: 900,
  teams: ['*'],
  ...over,
});

const ENV = { ORRERY_TABLE: 'orrery', ORRERY_BUCKET: 'orrery-notebooks' };

describe('parseRoles', () => {
  it('reads a YAML registry with defaults for what an entry leaves out', () => {
    // Act
    const [analyst, gov] = parseRoles(YAML, 'roles.yaml');
    // Assess
    expect(analyst).toEqual({
      name: 'ads-analyst',
      roleArn: 'arn:aws:iam::123456789012:role/orrery/ads-analyst',
      account: 'ads-dev',
      environment: 'dev',
      maxSessionSeconds: 3600,
      teams: ['ads'],
      users: [],
      description: 'the ads lake',
    });
    expect(gov).toMatchObject({ teams: [], users: ['alice'], description: '', environment: 'prod' });
  });

  it('reads the same registry written as JSON, and an empty file as no roles', () => {
    // Act
    const fromYaml = parseRoles(YAML, 'roles.yaml');
    const fromJson = parseRolesJson(JSON.stringify(fromYaml), 'roles.json');
    const empty = parseRoles('# no roles yet\n', 'roles.yaml');
    // Assess
    expect(fromJson).toEqual(fromYaml);
    expect(empty).toEqual([]);
  });

  it.each([
    [{ name: 'Not A Slug' }, '0.name: a slug'],
    [{ roleArn: 'arn:aws:iam::12345:role/x' }, '0.roleArn: an IAM role ARN'],
    [{ roleArn: 'arn:aws:s3:::bucket' }, '0.roleArn: an IAM role ARN'],
    [{ environment: 'staging' }, '0.environment: one of dev, prod'],
    [{ maxSessionSeconds: 600 }, '0.maxSessionSeconds: a whole number of seconds from 900 to 43200'],
    [{ maxSessionSeconds: 50_000 }, '0.maxSessionSeconds: a whole number of seconds from 900 to 43200'],
    [{ maxSessionSeconds: 1000.5 }, '0.maxSessionSeconds: a whole number of seconds from 900 to 43200'],
    [{ account: '' }, "0.account: the account's alias"],
    [{ teams: [], users: [] }, '0.teams: name the teams or users that may assume it'],
    [{ user: ['alice'] }, '0: Unrecognized key: "user"'],
  ])('refuses an entry with %j, naming the source, the field and the problem', (over, problem) => {
    // Act
    const message = thrownMessage(() => parseRolesJson(JSON.stringify([entry(over)]), 'roles.json'));
    // Assess
    expect(message).toContain('configuration: roles.json: ');
    expect(message).toContain(problem);
  });

  it('refuses two roles of one name', () => {
    // Act
    const message = thrownMessage(() => parseRoles(JSON.stringify([entry(), entry()]), 'roles.yaml'));
    // Assess
    expect(message).toBe('configuration: roles.yaml: (top): role names must be unique');
  });

  it('says a file that is not JSON is not, in the cloud, and not YAML locally', () => {
    // Act
    const cloud = thrownMessage(() => parseRolesJson('- name: x', '/var/task/roles.json'));
    const local = thrownMessage(() => parseRoles('[unclosed', 'roles.yaml'));
    // Assess
    expect(cloud).toMatch(/^configuration: \/var\/task\/roles\.json is not JSON \(the cloud reads the role registry/);
    expect(local).toMatch(/^configuration: roles\.yaml is not YAML or JSON: /);
  });
});

describe('loadRoles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-roles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file when one is named, in preference to inline text, and inline text otherwise', () => {
    // Prepare
    const file = join(dir, 'roles.yaml');
    writeFileSync(file, YAML);
    // Act
    const fromFile = loadRoles(file, JSON.stringify([entry()]));
    const inline = loadRoles(undefined, JSON.stringify([entry()]));
    // Assess
    expect(fromFile.map((r) => r.name)).toEqual(['ads-analyst', 'gov']);
    expect(inline.map((r) => r.name)).toEqual(['sandbox']);
  });

  it('has no roles when neither is given', () => {
    // Act
    const roles = loadRoles(undefined, undefined);
    // Assess
    expect(roles).toBe(DEFAULT_ROLES);
    expect(roles).toEqual([]);
  });

  it('stops start-up naming the path and the problem, in local mode and in the cloud', async () => {
    // Prepare
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([entry({ roleArn: 'not-an-arn' })]));
    const missing = join(dir, 'missing.yaml');
    // Act
    const local = thrownMessage(() => loadConfig({ ...ENV, ORRERY_ROLES_FILE: file }));
    const cloud = await loadCloudConfig({ ...ENV, ORRERY_ROLES_FILE: file }, { read: async () => '' }).catch(
      (err: Error) => err.message,
    );
    const absent = thrownMessage(() => loadConfig({ ...ENV, ORRERY_ROLES_FILE: missing }));
    // Assess
    expect(local).toBe(
      `configuration: ${file}: 0.roleArn: an IAM role ARN such as arn:aws:iam::123456789012:role/analyst`,
    );
    expect(cloud).toBe(local);
    expect(absent).toContain(`ORRERY_ROLES_FILE ${missing} cannot be read`);
  });

  it('puts the registry in the configuration, from ORRERY_ROLES when no file is named', () => {
    // Act
    const config = loadConfig({ ...ENV, ORRERY_ROLES: JSON.stringify([entry()]) });
    const none = loadConfig(ENV);
    // Assess
    expect(config.roles.map((r) => r.name)).toEqual(['sandbox']);
    expect(none.roles).toEqual([]);
  });
});

describe('the example role registry in config/', () => {
  it('parses, so the file the reference points at is a working start', () => {
    // Prepare
    const file = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'roles.example.yaml');
    // Act
    const roles = parseRoles(readFileSync(file, 'utf8'), file);
    // Assess
    expect(roles.map((r) => r.name)).toEqual(['ads-analyst', 'risk-prod-readonly', 'sandbox']);
    expect(roles.map((r) => r.environment)).toEqual(['dev', 'prod', 'dev']);
  });
});
