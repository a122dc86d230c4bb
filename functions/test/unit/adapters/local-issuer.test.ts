import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalIssuer } from '../../../src/adapters/local/local-issuer.ts';
import { UnauthorizedError } from '../../../src/domain/errors.ts';

const dirs: string[] = [];
const openIssuer = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-issuer-'));
  dirs.push(dir);
  return LocalIssuer.open(join(dir, 'secrets.json'));
};

afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('LocalIssuer', () => {
  it('accepts a token it issued, again and again, with the same claims', async () => {
    const issuer = await openIssuer();
    const token = await issuer.issue('ana', { teams: ['t'] }, 60);
    expect((await issuer.verify(token)).sub).toBe('ana');
    expect(await issuer.verify(token)).toMatchObject({ sub: 'ana', teams: ['t'] });
  });

  it('refuses a token once it has expired, even one it accepted before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const issuer = await openIssuer();
    const token = await issuer.issue('ana', {}, 5);
    await issuer.verify(token);
    vi.setSystemTime(Date.now() + 6000);
    await expect(issuer.verify(token)).rejects.toThrow(UnauthorizedError);
  });

  it('refuses a token whose signature was changed after the genuine one was accepted', async () => {
    const issuer = await openIssuer();
    const token = await issuer.issue('ana', {}, 60);
    await issuer.verify(token);
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expect(issuer.verify(tampered)).rejects.toThrow(UnauthorizedError);
  });

  it("refuses another issuer's token", async () => {
    const [mine, theirs] = [await openIssuer(), await openIssuer()];
    await expect(mine.verify(await theirs.issue('ana', {}, 60))).rejects.toThrow(UnauthorizedError);
  });
});
