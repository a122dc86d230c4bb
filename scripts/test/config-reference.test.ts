import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationReference } from '../../functions/src/config/reference.ts';
import { CONFIGURATION_DOC, REGENERATE, renderConfigurationReference } from '../docs/config-reference.ts';

// The section of the generated reference that starts at `heading`, up to the next heading of its level.
const section = (text: string, heading: string): string => {
  const start = text.indexOf(`\n${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = text.indexOf('\n## ', start + heading.length + 1);
  return text.slice(start, end < 0 ? undefined : end);
};

const tableNames = (text: string): string[] => [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);

describe('docs/configuration.md', () => {
  it(`is what \`${REGENERATE}\` writes from the configuration schema (run it and commit the file if not)`, () => {
    // Prepare
    const committed = existsSync(CONFIGURATION_DOC) ? readFileSync(CONFIGURATION_DOC, 'utf8') : '(missing)';

    // Act
    const generated = renderConfigurationReference();

    // Assess
    expect(committed === generated, `docs/configuration.md is stale: run \`${REGENERATE}\` and commit it`).toBe(true);
  });

  it('has a table per mode holding exactly the variables that mode lets you set', () => {
    // Prepare
    const reference = configurationReference();
    const text = renderConfigurationReference();

    // Act
    const local = tableNames(section(text, '## Local mode'));
    const cloud = tableNames(section(text, '## In the cloud'));

    // Assess
    const settableLocally = reference.filter((e) => e.modes.includes('local') && !e.setLocally).map((e) => e.name);
    expect(local.sort()).toEqual(settableLocally.sort());
    expect(cloud).toEqual(reference.filter((e) => e.modes.includes('cloud')).map((e) => e.name));
    expect(local).toContain('ORRERY_LAUNCH_POLL_MS');
    expect(local).not.toContain('ORRERY_EKS_CLUSTER');
    const onceUndocumented = ['ORRERY_CURSOR_SECRET_ARN', 'ORRERY_SLACK_WEBHOOK_SECRET_NAME', 'ORRERY_REPORTER_IMAGE'];
    expect(cloud).toEqual(expect.arrayContaining(onceUndocumented));
    expect(cloud).not.toContain('PORT');
  });

  it('shows in the cloud table where the deploy takes each value from, and that cursor keys come from a secret', () => {
    // Prepare
    const text = section(renderConfigurationReference(), '## In the cloud');

    // Act
    const rowOf = (name: string) => text.split('\n').find((line) => line.startsWith(`| \`${name}\` |`)) ?? '';

    // Assess
    expect(rowOf('ORRERY_EKS_CLUSTER')).toContain('| `eks.clusterName` |');
    expect(rowOf('ORRERY_CURSOR_SECRET')).toContain('the secret `ORRERY_CURSOR_SECRET_ARN` names');
    expect(rowOf('ORRERY_SERVER_LIMIT')).toContain('(not set: the default)');
  });
});
