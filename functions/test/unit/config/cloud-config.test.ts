import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProfiles } from '../../../../infra/lib/constructs/bundling.ts';
import {
  SecretsManagerSecretReader,
  type SecretsManagerSend,
} from '../../../src/adapters/aws/secrets-manager-secret-reader.ts';
import { loadCloudConfig, unwrapSecretString } from '../../../src/config/cloud-config.ts';
import { loadConfig } from '../../../src/config/config.ts';

const BASE = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', AWS_REGION: 'eu-west-1' };
const CURSOR_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:CursorSecret-AbCdEf';
const SLACK_NAME = 'orrery/slack-webhook';

/** A hand-written Secrets Manager client: answers from a map, records the ids it was asked for. */
const fakeClient = (values: Record<string, string | Error>) => {
  const asked: string[] = [];
  const client = {
    send: async (command: GetSecretValueCommand) => {
      const id = command.input.SecretId!;
      asked.push(id);
      const value = values[id];
      if (value instanceof Error) throw value;
      if (value === undefined)
        throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
          name: 'ResourceNotFoundException',
        });
      return { SecretString: value, $metadata: {} };
    },
  } as unknown as SecretsManagerSend;
  return { client, asked };
};

describe('loadCloudConfig', () => {
  it('reads the cursor key and the Slack webhook from Secrets Manager into the settings they feed', async () => {
    // Prepare
    const { client, asked } = fakeClient({
      [CURSOR_ARN]: 'k'.repeat(48),
      [SLACK_NAME]: 'https://hooks.slack.com/services/T0/B0/x',
    });
    const env = { ...BASE, ORRERY_CURSOR_SECRET_ARN: CURSOR_ARN, ORRERY_SLACK_WEBHOOK_SECRET_NAME: SLACK_NAME };

    // Act
    const config = await loadCloudConfig(env, new SecretsManagerSecretReader(client));

    // Assess
    expect(config.cursorSecret).toBe('k'.repeat(48));
    expect(config.slackWebhookUrl).toBe('https://hooks.slack.com/services/T0/B0/x');
    expect(asked.sort()).toEqual([CURSOR_ARN, SLACK_NAME].sort());
  });

  it('reads nothing from Secrets Manager when no secret is named, as in local mode', async () => {
    // Prepare
    const { client, asked } = fakeClient({});

    // Act
    const config = await loadCloudConfig(
      { ...BASE, ORRERY_CURSOR_SECRET: 'x'.repeat(32) },
      new SecretsManagerSecretReader(client),
    );

    // Assess
    expect(config.cursorSecret).toBe('x'.repeat(32));
    expect(config.slackWebhookUrl).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('takes the one value of a key/value secret made in the console', async () => {
    // Prepare
    const { client } = fakeClient({
      [CURSOR_ARN]: 'k'.repeat(48),
      [SLACK_NAME]: '{"url":"https://hooks.slack.com/services/T1/B1/y"}',
    });

    // Act
    const config = await loadCloudConfig(
      { ...BASE, ORRERY_CURSOR_SECRET_ARN: CURSOR_ARN, ORRERY_SLACK_WEBHOOK_SECRET_NAME: SLACK_NAME },
      new SecretsManagerSecretReader(client),
    );

    // Assess
    expect(config.slackWebhookUrl).toBe('https://hooks.slack.com/services/T1/B1/y');
  });

  it('stops the cold start naming the secret, its variable and the reason when a secret cannot be read', async () => {
    // Prepare
    const denied = Object.assign(
      new Error(
        'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: secretsmanager:GetSecretValue',
      ),
      { name: 'AccessDeniedException' },
    );
    const { client } = fakeClient({ [CURSOR_ARN]: 'k'.repeat(48), [SLACK_NAME]: denied });

    // Act
    const failure = await loadCloudConfig(
      { ...BASE, ORRERY_CURSOR_SECRET_ARN: CURSOR_ARN, ORRERY_SLACK_WEBHOOK_SECRET_NAME: SLACK_NAME },
      new SecretsManagerSecretReader(client),
    ).catch((e: unknown) => e as Error);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      `configuration: cannot read the secret ${SLACK_NAME} (ORRERY_SLACK_WEBHOOK_SECRET_NAME): ` +
        `AccessDeniedException: ${denied.message}`,
    );
  });

  it('refuses a secret that holds no text, and a secret value that is not a valid setting', async () => {
    // Prepare
    const binary = {
      send: async () => ({ SecretBinary: new Uint8Array([1, 2]), $metadata: {} }),
    } as unknown as SecretsManagerSend;
    const { client } = fakeClient({ [CURSOR_ARN]: 'too-short' });
    const env = { ...BASE, ORRERY_CURSOR_SECRET_ARN: CURSOR_ARN };

    // Act
    const noText = await loadCloudConfig(env, new SecretsManagerSecretReader(binary)).catch((e: unknown) => e as Error);
    const short = await loadCloudConfig(env, new SecretsManagerSecretReader(client)).catch((e: unknown) => e as Error);

    // Assess
    expect((noText as Error).message).toMatch(
      /cannot read the secret .*CursorSecret-AbCdEf \(ORRERY_CURSOR_SECRET_ARN\): the secret has no string value/,
    );
    expect((short as Error).message).toMatch(/ORRERY_CURSOR_SECRET: set ORRERY_CURSOR_SECRET to at least 16/);
    // A secret's value never reaches the message, not even a wrong one.
    expect((short as Error).message).not.toContain('too-short');
  });
});

describe('the profile registry in the cloud', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-cloud-profiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const secrets = { read: async (id: string) => Promise.reject(new Error(`no secret ${id} expected`)) };
  const example = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'profiles.example.yaml');

  it('is read from the JSON the deploy compiles, with the same profiles local mode reads from the YAML', async () => {
    // Prepare
    const compiled = join(dir, 'profiles.json');
    writeFileSync(compiled, compileProfiles(example));

    // Act
    const cloud = await loadCloudConfig({ ...BASE, ORRERY_PROFILES_FILE: compiled }, secrets);
    const local = loadConfig({ ...BASE, ORRERY_PROFILES_FILE: example });

    // Assess
    expect(cloud.profiles.map((p) => p.slug)).toEqual(['cpu-small', 'gpu-t4', 'pyspark']);
    expect(cloud.profiles).toEqual(local.profiles);
  });

  it('must be JSON: YAML is refused with the source and what the cloud reads', async () => {
    // Prepare
    const yaml = readFileSync(example, 'utf8');

    // Act
    const inline = await loadCloudConfig({ ...BASE, ORRERY_PROFILES: yaml }, secrets).catch((e: unknown) => e as Error);
    const fromFile = { ...BASE, ORRERY_PROFILES_FILE: example };
    const file = await loadCloudConfig(fromFile, secrets).catch((e: unknown) => e as Error);

    // Assess
    const cloudReads = /\(the cloud reads the profile registry as JSON\)/;
    expect((inline as Error).message).toMatch(/^configuration: ORRERY_PROFILES is not JSON /);
    expect((inline as Error).message).toMatch(cloudReads);
    expect((file as Error).message).toContain(`configuration: ${example} is not JSON`);
  });
});

describe('unwrapSecretString', () => {
  it('keeps plain text and JSON with more than one value as they are', () => {
    // Act / Assess
    expect(unwrapSecretString('https://hooks.slack.com/x')).toBe('https://hooks.slack.com/x');
    expect(unwrapSecretString('{"a":"1","b":"2"}')).toBe('{"a":"1","b":"2"}');
    expect(unwrapSecretString('{not json')).toBe('{not json');
  });
});
