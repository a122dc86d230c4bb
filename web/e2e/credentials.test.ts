import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../functions/test/support/chromium.ts';
import { fakeStsBroker, setAwsEnvironment } from '../../functions/test/support/aws-environment.ts';
import { type FakeSts, startFakeSts } from '../../functions/test/support/fake-sts.ts';
import { eventually, jupyterServerAvailable } from '../../functions/test/support/servers.ts';
import { horizontalOverflow, installLayoutShiftProbe, layoutShift } from './support/page-quality.ts';
import { usePortal } from './support/portal-fixture.ts';
import { PAGE_MS, shown, signInWithToken } from './support/portal-steps.ts';
import { ADS_ANALYST_ROLE, RISK_PROD_ROLE } from './support/test-roles.ts';

// people.alice is in team `ads` and named on risk-prod; people.loner is in no team and named nowhere.
const ROLES = [ADS_ANALYST_ROLE, RISK_PROD_ROLE];

/** Records what each Copy button puts on the clipboard, beside the clipboard itself, before any page script runs. */
const recordCopies = (page: Page) =>
  page.addInitScript(() => {
    const w = window as unknown as { __copied: string[] };
    w.__copied = [];
    const original = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text: string) => {
      w.__copied.push(text);
      return original(text);
    };
  });

describe.skipIf(!chromiumAvailable())('AWS credentials from the portal', { timeout: 90_000 }, () => {
  let sts: FakeSts;
  let restoreAwsEnvironment: () => void;
  // Registered before usePortal's hooks, so the endpoint and the broker's keys exist when the platform starts.
  beforeAll(async () => {
    sts = await startFakeSts();
    restoreAwsEnvironment = setAwsEnvironment(fakeStsBroker(sts));
    sts.state.maxSessionSeconds.set(ROLES[0]!.roleArn, 7200);
  });
  afterAll(async () => {
    await sts?.close();
    restoreAwsEnvironment?.();
  });
  const p = usePortal('credentials', { ORRERY_ROLES: JSON.stringify(ROLES) });

  const openCredentials = async (token: string, viewport?: { width: number; height: number }) => {
    const page = await p.newPage();
    if (viewport) await page.setViewportSize(viewport);
    await installLayoutShiftProbe(page);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: p.t.platform.url });
    await recordCopies(page);
    await signInWithToken(page, p.t.platform.url, token);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click();
    await shown(page.getByRole('heading', { name: 'Credentials', level: 1 }));
    return page;
  };
  const copy = async (page: Page, what: string) => {
    await page.getByRole('button', { name: `Copy ${what}` }).click();
    await shown(page.getByRole('status').filter({ hasText: 'Copied' }));
    return page.evaluate(() => navigator.clipboard.readText());
  };

  it("lists the caller's roles, issues keys whose three copied texts hold the key STS issued, and counts down", async () => {
    // Prepare
    const page = await openCredentials(p.t.tokens.alice);
    const secrets: string[] = [];
    page.on('console', (m) => void secrets.push(m.text()));
    const roles = page.getByRole('table', { name: 'Your AWS roles' });
    await shown(roles.getByRole('rowheader', { name: 'risk-prod' }));
    const rows = await roles.getByRole('row').allInnerTexts();
    await p.shot(page, 'roles');
    sts.requests.length = 0;
    // Act
    await page.getByRole('spinbutton', { name: 'Duration in minutes' }).fill('30');
    await page.getByRole('button', { name: 'Get credentials' }).click();
    await shown(page.getByRole('heading', { name: 'Keys for ads-analyst' }));
    const issued = sts.requests.at(-1)?.issued;
    const shell = await copy(page, 'export lines');
    const profile = await copy(page, 'credentials profile');
    const helper = await copy(page, 'credential_process profile');
    const copied = await page.evaluate(() => (window as unknown as { __copied: string[] }).__copied);
    const timer = page.getByRole('timer');
    const shiftBefore = (await layoutShift(page)).total;
    const first = await timer.innerText();
    await page.waitForTimeout(1500);
    const second = await timer.innerText();
    const shiftAfter = (await layoutShift(page)).total;
    await shown(
      page.getByRole('table', { name: 'Your recent credentials' }).getByRole('rowheader', { name: 'ads-analyst' }),
    );
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    await p.shot(page, 'keys');
    // Assess
    expect(rows.slice(1).map((r) => r.split('\t').slice(0, 4))).toEqual([
      ['ads-analyst', 'ads-dev', 'dev', '2 h'],
      ['risk-prod', 'risk-prod', 'prod', '30 min'],
    ]);
    expect(sts.requests.at(-1)).toMatchObject({
      roleArn: ROLES[0]!.roleArn,
      durationSeconds: 1800,
      sourceIdentity: 'alice',
    });
    expect(issued).toBeDefined();
    expect(copied).toEqual([shell, profile, helper]);
    expect(shell).toBe(
      `export AWS_ACCESS_KEY_ID=${issued!.accessKeyId}\n` +
        `export AWS_SECRET_ACCESS_KEY=${issued!.secretAccessKey}\n` +
        `export AWS_SESSION_TOKEN=${issued!.sessionToken}`,
    );
    expect(profile).toContain(`[orrery-ads-analyst]\naws_access_key_id = ${issued!.accessKeyId}\n`);
    expect(profile).toContain(`aws_session_token = ${issued!.sessionToken}`);
    expect(helper).toBe(
      '[profile orrery-ads-analyst]\ncredential_process = npm --prefix /path/to/orrery run -s credentials -- ' +
        `--role ads-analyst --api ${p.t.platform.apiUrl}`,
    );
    expect(first).toMatch(/^(29 min \d\d|30 min 00) s left$/);
    expect(second).toMatch(/^29 min \d\d s left$/);
    expect(second).not.toBe(first);
    expect(shiftAfter, 'the ticking countdown moved the page').toBe(shiftBefore);
    for (const where of [page.url(), stored, ...secrets]) expect(where).not.toContain(issued!.secretAccessKey);
  });

  it('refuses a duration outside the role beside the field, and shows the one AWS refuses there too', async () => {
    // Prepare
    const page = await openCredentials(p.t.tokens.alice);
    const duration = page.getByRole('spinbutton', { name: 'Duration in minutes' });
    await shown(duration);
    p.allowErrors(/status of 400/);
    sts.state.maxSessionSeconds.set(ROLES[0]!.roleArn, 3600);
    try {
      // Act
      await duration.fill('500');
      await page.getByRole('button', { name: 'Get credentials' }).click();
      const tooLong = await page.locator('.field', { has: duration }).getByRole('alert').innerText();
      await duration.fill('90');
      await page.getByRole('button', { name: 'Get credentials' }).click();
      await shown(page.getByText(/AWS refused a 5400-second session/));
      const refused = await page.locator('.field', { has: duration }).getByRole('alert').innerText();
      const invalid = await duration.getAttribute('aria-invalid');
      await p.shot(page, 'duration-refused');
      // Assess
      expect(tooLong).toBe('At most 120 minutes: the longest session this role allows.');
      expect(refused).toContain("raise the role's MaxSessionDuration");
      expect(invalid).toBe('true');
      expect(await page.getByRole('heading', { name: /^Keys for/ }).count()).toBe(0);
    } finally {
      sts.state.maxSessionSeconds.set(ROLES[0]!.roleArn, 7200);
    }
  });

  it('says what to set when the platform has no AWS credentials that STS accepts (503)', async () => {
    // Prepare
    const page = await openCredentials(p.t.tokens.alice);
    await shown(page.getByRole('button', { name: 'Get credentials' }));
    p.allowErrors(/status of 503/);
    const callers = new Map(sts.state.callers);
    sts.state.callers.clear();
    try {
      // Act
      await page.getByRole('button', { name: 'Get credentials' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'The platform cannot get keys from AWS' });
      await shown(alert);
      const text = await alert.innerText();
      await p.shot(page, 'broker-unavailable');
      // Assess
      expect(text).toContain('AWS_ACCESS_KEY_ID');
      expect(text).toContain('AWS_ENDPOINT_URL_STS');
      expect(text).toContain('npm start');
    } finally {
      sts.state.callers = callers;
    }
  });

  it('says Expired when the countdown reaches zero', async () => {
    // Prepare
    const page = await openCredentials(p.t.tokens.alice);
    await shown(page.getByRole('button', { name: 'Get credentials' }));
    sts.state.expiresInSeconds = 3;
    try {
      // Act
      await page.getByRole('button', { name: 'Get credentials' }).click();
      await shown(page.getByRole('timer'));
      await page.getByRole('timer').filter({ hasText: 'Expired' }).waitFor({ state: 'visible', timeout: PAGE_MS });
      await shown(page.getByText('These keys have expired'));
      await p.shot(page, 'expired');
    } finally {
      sts.state.expiresInSeconds = undefined;
    }
  });

  it('pages the credential log newest first with More', async () => {
    // Prepare
    for (let i = 0; i < 11; i++) {
      const res = await p.t.api('POST', '/credentials', p.t.tokens.amir, { role: 'ads-analyst' });
      expect(res.status).toBe(200);
    }
    const page = await openCredentials(p.t.tokens.amir);
    const log = page.getByRole('table', { name: 'Your recent credentials' });
    await shown(log.getByRole('rowheader').first());
    // Act
    const before = await log.getByRole('rowheader').count();
    await page.getByRole('button', { name: 'More' }).click();
    await shown(log.getByRole('rowheader').nth(10));
    const after = await log.getByRole('rowheader').count();
    const more = await page.getByRole('button', { name: 'More' }).count();
    await p.shot(page, 'log-more');
    // Assess
    expect([before, after, more]).toEqual([10, 11, 0]);
  });

  it('keeps the keys, their long session token included, within a 320-pixel-wide window (200% zoom)', async () => {
    // Prepare
    const page = await openCredentials(p.t.tokens.alice, { width: 320, height: 800 });
    // Act
    await page.getByRole('button', { name: 'Get credentials' }).click();
    await shown(page.getByRole('heading', { name: 'Keys for ads-analyst' }));
    const overflow = await horizontalOverflow(page);
    await p.shot(page, 'keys-320');
    // Assess
    expect(overflow.scrollWidth, overflow.offenders.join('; ')).toBeLessThanOrEqual(overflow.innerWidth);
  });

  it.skipIf(!jupyterServerAvailable())(
    "launches a server with a role from the launch form, shows it in the server's row and switches it there",
    { timeout: 120_000 },
    async () => {
      // Prepare
      const page = await p.newPage();
      await signInWithToken(page, p.t.platform.url, p.t.tokens.alice);
      await shown(page.getByRole('heading', { name: 'Your servers' }));
      const picker = page.getByRole('combobox', { name: 'AWS role' });
      await eventually(async () => (await picker.locator('option').count()) === 3, 'the roles in the picker');
      const offered = await picker.locator('option').allInnerTexts();
      // Act
      await page.getByRole('textbox', { name: 'Server name' }).fill('e2e-role');
      await picker.selectOption('ads-analyst');
      await page.getByRole('button', { name: 'Launch server' }).click();
      const launched = await eventually(async () => {
        const res = await p.t.api('GET', '/servers/e2e-role', p.t.tokens.alice);
        return res.status === 200 ? res.body : null;
      }, 'the server to exist');
      const rowRole = page.getByRole('combobox', { name: 'AWS role of e2e-role' });
      await shown(rowRole);
      const shownRole = await rowRole.inputValue();
      await rowRole.selectOption('risk-prod');
      await page.getByRole('button', { name: 'Save role of e2e-role' }).click();
      await shown(page.getByRole('status').filter({ hasText: 'Saved' }));
      const switched = (await p.t.api('GET', '/servers/e2e-role', p.t.tokens.alice)).body;
      await p.shot(page, 'server-role');
      await p.t.api('DELETE', '/servers/e2e-role', p.t.tokens.alice);
      // Assess
      expect(offered).toEqual(['No AWS role', 'ads-analyst — ads-dev (dev)', 'risk-prod — risk-prod (prod)']);
      expect(launched.role).toBe('ads-analyst');
      expect(shownRole).toBe('ads-analyst');
      expect(switched.role).toBe('risk-prod');
    },
  );

  it('shows a user without roles an empty state and no form', async () => {
    // Act
    const page = await openCredentials(p.t.tokens.loner);
    await shown(page.getByText('You hold no AWS roles'));
    await shown(page.getByText('No credentials issued to you yet'));
    await p.shot(page, 'no-roles');
    // Assess
    expect(await page.getByRole('button', { name: 'Get credentials' }).count()).toBe(0);
  });
});
