import { describe, expect, it } from 'vitest';
import type { CredentialIssue } from '../../src/domain/credentials.ts';
import { ConflictError } from '../../src/domain/errors.ts';
import type { CredentialLog, CredentialLogPage, CredentialLogQuery } from '../../src/ports/credential-log.ts';

const BASE = Date.UTC(2026, 0, 5, 9, 0, 0);
const iso = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/** One issue as the use case records it; tests change the fields they care about. */
export const sampleIssue = (i: number, over: Partial<CredentialIssue> = {}): CredentialIssue => ({
  id: `cred-${String(i).padStart(16, '0')}`,
  issuedAt: iso(i),
  user: 'alice',
  team: 'ads',
  role: 'ads-analyst',
  roleArn: 'arn:aws:iam::123456789012:role/ads-analyst',
  account: 'ads-dev',
  purpose: 'interactive',
  serverId: null,
  runId: null,
  sourceIdentity: 'alice',
  expiration: iso(i + 60),
  durationSeconds: 3600,
  ...over,
});

const newestFirst = (issues: CredentialIssue[]) =>
  [...issues].sort((a, b) => (`${a.issuedAt}#${a.id}` < `${b.issuedAt}#${b.id}` ? 1 : -1)).map((i) => i.id);

// Reads every page of one listing, checking each page's size, and returns the ids in order.
const drain = async (list: (page: CredentialLogQuery) => Promise<CredentialLogPage>, limit: number) => {
  const ids: string[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await list({ before, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((i) => i.id));
    if (!page.next) return ids;
    before = page.next;
  }
  throw new Error('the credential log never ended');
};

/** The behaviour every CredentialLog must have; each adapter's test file runs it. */
export const credentialLogContract = (name: string, make: () => Promise<CredentialLog>) =>
  describe(`CredentialLog contract: ${name}`, () => {
    it('reads back an issue exactly, nulls included, from both listings', async () => {
      // Prepare
      const log = await make();
      const bare = sampleIssue(1, { team: null });
      const forServer = sampleIssue(2, { purpose: 'server', serverId: 'srv-alice-lab-0123abcd', user: 'bob' });
      const forRun = sampleIssue(3, { purpose: 'run', runId: 'run-0000000000000003', team: 'risk' });
      // Act
      for (const issue of [bare, forServer, forRun]) await log.record(issue);
      const all = await log.listAll({ limit: 10 });
      const alices = await log.listForUser('alice', { limit: 10 });
      // Assess
      expect(all.items).toStrictEqual([forRun, forServer, bare]);
      expect(all.next).toBeUndefined();
      expect(alices.items).toStrictEqual([forRun, bare]);
    });

    it("lists only the user's own issues, and nothing for a user who has none", async () => {
      // Prepare
      const log = await make();
      await log.record(sampleIssue(1, { user: 'alice' }));
      await log.record(sampleIssue(2, { user: 'alicex' }));
      await log.record(sampleIssue(3, { user: 'bob' }));
      // Act
      const alices = await log.listForUser('alice', { limit: 10 });
      const nobodys = await log.listForUser('nobody', { limit: 10 });
      // Assess
      expect(alices.items.map((i) => i.user)).toEqual(['alice']);
      expect(nobodys).toEqual({ items: [], next: undefined });
    });

    it.each([1, 2, 3, 7])('pages newest first, %i a page, with no duplicates or gaps', async (limit) => {
      // Prepare
      const log = await make();
      const minutes = [5, 1, 9, 3, 3, 7, 0];
      const issues = minutes.map((m, i) => sampleIssue(i, { issuedAt: iso(m), user: i % 2 ? 'bob' : 'alice' }));
      for (const issue of issues) await log.record(issue);
      // Act
      const all = await drain((p) => log.listAll(p), limit);
      const bobs = await drain((p) => log.listForUser('bob', p), limit);
      // Assess
      expect(all).toEqual(newestFirst(issues));
      expect(bobs).toEqual(newestFirst(issues.filter((i) => i.user === 'bob')));
    });

    it('says there is no next page when the last page is exactly full', async () => {
      // Prepare
      const log = await make();
      for (const i of [1, 2, 3, 4]) await log.record(sampleIssue(i));
      // Act
      const first = await log.listAll({ limit: 2 });
      const second = await log.listAll({ limit: 2, before: first.next });
      // Assess
      expect(first.items).toHaveLength(2);
      expect(first.next).toBeDefined();
      expect(second.items).toHaveLength(2);
      expect(second.next).toBeUndefined();
    });

    it('never overwrites a recorded issue with another of the same id', async () => {
      // Prepare
      const log = await make();
      const first = sampleIssue(1);
      await log.record(first);
      // Act
      const again = log.record({ ...first, role: 'prod-admin', user: 'mallory' });
      // Assess
      await expect(again).rejects.toBeInstanceOf(ConflictError);
      expect((await log.listAll({ limit: 10 })).items).toStrictEqual([first]);
    });
  });
