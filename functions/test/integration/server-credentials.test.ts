import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { fakeStsBroker, setAwsEnvironment } from '../support/aws-environment.ts';
import { FAKE_STS_CALLER, type FakeSts, startFakeSts } from '../support/fake-sts.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { boto3Available } from '../support/runs.ts';
import { eventually, jupyterServerAvailable, waitForServer } from '../support/servers.ts';

// alice is in `ads`: she holds both roles; keys last a minute, so the sidecar fetches anew on every request and
// botocore (which refreshes with 15 minutes left, and must with 10) refreshes on every use.
const ROLES = [
  {
    name: 'ads-analyst',
    roleArn: 'arn:aws:iam::123456789012:role/orrery/ads-analyst',
    account: 'ads-dev',
    environment: 'dev',
    maxSessionSeconds: 3600,
    teams: ['ads'],
  },
  {
    name: 'ads-reader',
    roleArn: 'arn:aws:iam::123456789012:role/ads-reader',
    account: 'ads-dev',
    environment: 'dev',
    maxSessionSeconds: 3600,
    teams: ['ads'],
  },
];
const KEY_LIFETIME_SECONDS = 60;

/**
 * Runs code in a kernel of the server through its connection file (jupyter_client, as a notebook front end does)
 * and prints what the code printed; exits 1 with the traceback when the code fails.
 * Arguments: connection file, code.
 */
const EXECUTE = `
import sys
from jupyter_client import BlockingKernelClient
connection_file, code = sys.argv[1:3]
kc = BlockingKernelClient(connection_file=connection_file)
kc.load_connection_file()
kc.start_channels()
kc.wait_for_ready(timeout=60)
out, errors = [], []
def hook(msg):
    if msg["msg_type"] == "stream":
        out.append(msg["content"]["text"])
    elif msg["msg_type"] == "error":
        errors.append("\\n".join(msg["content"]["traceback"]))
reply = kc.execute_interactive(code, timeout=60, output_hook=hook)
kc.stop_channels()
sys.stdout.write("".join(out))
if reply["content"]["status"] != "ok":
    sys.stderr.write("".join(errors))
    sys.exit(1)
`;

const NAME = 'lab';
const serverId = serverIdFor('alice', NAME);
const run = promisify(execFile);

let t: TestPlatform;
let sts: FakeSts;
let restoreAwsEnvironment: () => void;
let jupyter: { url: string; token: string };
let kernelConnection: string;
const credentialsTokens = new Map<string, string>();

/** Runs code in the server's one kernel; what it printed, trimmed. */
const inKernel = async (code: string): Promise<string> => {
  const { stdout } = await run('/usr/bin/python3', ['-c', EXECUTE, kernelConnection, code], { timeout: 90_000 });
  return stdout.trim();
};

const askApi = (token: string) =>
  fetch(`${t.platform.apiUrl}/servers/${NAME}/credentials`, {
    method: 'POST',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });

const issuedKeys = () => sts.requests.filter((r) => r.issued).map((r) => r.issued!.accessKeyId);

describe.skipIf(!jupyterServerAvailable() || !boto3Available())(
  'AWS keys inside a notebook server, from its credentials sidecar',
  () => {
    beforeAll(async () => {
      sts = await startFakeSts();
      sts.state.expiresInSeconds = KEY_LIFETIME_SECONDS;
      restoreAwsEnvironment = setAwsEnvironment(fakeStsBroker(sts));
      t = await startTestPlatform(mkdtempSync(join(tmpdir(), 'orrery-server-credentials-')), {
        ORRERY_ROLES: JSON.stringify(ROLES),
        ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
        // The launch goes into a warm server (started ahead, given the launch's variables only when taken), so these
        // checks of what its kernels get hold for that path too; warm-servers.test.ts checks it was warm.
        ORRERY_WARM_SERVERS: '1',
      });
      await eventually(async () => t.platform.servers.readyWarmServers() === 1, 'the warm server', 60_000);
      // The credentials token goes to the sidecar alone; the test keeps a copy on its way there, to try it later.
      const compute = t.platform.servers;
      const putToken = compute.putToken.bind(compute);
      compute.putToken = async (id, token, credentialsToken) => {
        credentialsTokens.set(id, credentialsToken);
        return putToken(id, token, credentialsToken);
      };
      const launch = await t.api('POST', '/servers', t.tokens.alice, { name: NAME, role: 'ads-analyst' });
      expect(launch.status, launch.text).toBe(202);
      const server = await waitForServer(t, NAME, t.tokens.alice, ['RUNNING', 'FAILED']);
      expect(server.status, server.reason).toBe('RUNNING');
      jupyter = { url: server.url, token: launch.body.token };
      const res = await fetch(`${jupyter.url}api/kernels`, {
        method: 'POST',
        headers: { authorization: `token ${jupyter.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const kernel = (await res.json()) as { id: string };
      kernelConnection = join(t.home, 'servers', serverId, 'runtime', `kernel-${kernel.id}.json`);
      // Only the sidecar's keys count: no shared files of whoever runs the tests.
      await inKernel(
        'import os; os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.environ["AWS_CONFIG_FILE"] = "/nonexistent"',
      );
    }, 120_000);

    afterAll(async () => {
      await t?.close();
      await sts?.close();
      restoreAwsEnvironment?.();
    });

    it('shows the role in the server’s view', async () => {
      // Act
      const res = await t.api('GET', `/servers/${NAME}`, t.tokens.alice);
      // Assess
      expect(res.body.role).toBe('ads-analyst');
    });

    it('gives boto3 in the server’s kernel the keys STS issued for the server’s role, for its owner', async () => {
      // Act
      const key = await inKernel(
        'import boto3\ncreds = boto3.Session().get_credentials()\nprint(creds.get_frozen_credentials().access_key)',
      );
      // Assess
      const request = sts.requests.find((r) => r.issued?.accessKeyId === key);
      expect(request, `${key} among ${issuedKeys().join(', ')}`).toBeDefined();
      expect(request).toMatchObject({
        roleArn: ROLES[0]!.roleArn,
        sourceIdentity: 'alice',
        tags: { 'orrery:user': 'alice', 'orrery:team': 'ads', 'orrery:purpose': 'server', 'orrery:server': serverId },
      });
      const log = await t.api('GET', '/credentials/log', t.tokens.alice);
      expect(log.body.items[0]).toMatchObject({ purpose: 'server', serverId, role: 'ads-analyst' });
    });

    it('refreshes keys near their end in the same boto3 credentials object, with new keys from STS', async () => {
      // Prepare
      const first = await inKernel('print(creds.get_frozen_credentials().access_key)');
      // Act
      const second = await inKernel('print(creds.get_frozen_credentials().access_key)');
      // Assess
      expect(second).not.toBe(first);
      expect(issuedKeys()).toContain(first);
      expect(issuedKeys()).toContain(second);
    });

    it('serves the JS SDK’s container provider the same way', async () => {
      // Prepare
      const [uri, token] = (
        await inKernel(
          'import os\nprint(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])\n' +
            'print(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"])',
        )
      ).split('\n');
      // Act
      const keys = await fromHttp({ awsContainerCredentialsFullUri: uri, awsContainerAuthorizationToken: token })();
      // Assess
      expect(uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
      expect(issuedKeys()).toContain(keys.accessKeyId);
      expect(keys.expiration!.getTime()).toBeGreaterThan(Date.now());
    });

    it('gives the kernel the token itself, never the file variable, and no credentials token or platform keys', async () => {
      // Act
      const names = await inKernel('import os\nprint(" ".join(sorted(k for k in os.environ if k.startswith("AWS"))))');
      const environment = await inKernel('import os\nprint(repr(dict(os.environ)))');
      // Assess
      expect(names.split(' ')).toEqual([
        'AWS_CONFIG_FILE',
        'AWS_CONTAINER_AUTHORIZATION_TOKEN',
        'AWS_CONTAINER_CREDENTIALS_FULL_URI',
        'AWS_SHARED_CREDENTIALS_FILE',
      ]);
      expect(environment).not.toContain(credentialsTokens.get(serverId)!);
      expect(environment).not.toContain(FAKE_STS_CALLER.secretAccessKey);
    });

    it('switches the role without a relaunch: the next keys are for the new role', async () => {
      // Act
      const put = await t.api('PUT', `/servers/${NAME}/role`, t.tokens.alice, { role: 'ads-reader' });
      const key = await inKernel('print(boto3.Session().get_credentials().get_frozen_credentials().access_key)');
      // Assess
      expect(put.status, put.text).toBe(200);
      expect(put.body.role).toBe('ads-reader');
      expect(sts.requests.find((r) => r.issued?.accessKeyId === key)?.roleArn).toBe(ROLES[1]!.roleArn);
    });

    it('refuses the server token (Jupyter’s) at the credentials route, and answers 409 once the role is cleared', async () => {
      // Prepare
      const credentialsToken = credentialsTokens.get(serverId)!;
      // Act
      const withServerToken = await askApi(jupyter.token);
      const withCredentialsToken = await askApi(credentialsToken);
      await t.api('PUT', `/servers/${NAME}/role`, t.tokens.alice, { role: null });
      const withoutRole = await askApi(credentialsToken);
      // Assess
      expect(withServerToken.status).toBe(403);
      expect(withCredentialsToken.status).toBe(200);
      expect(withCredentialsToken.headers.get('cache-control')).toBe('no-store');
      expect(withoutRole.status).toBe(409);
      expect(((await withoutRole.json()) as { message: string }).message).toMatch(/no AWS role/);
    });

    it('revokes the sidecar’s token when the server stops', async () => {
      // Prepare
      const credentialsToken = credentialsTokens.get(serverId)!;
      // Act
      await t.api('DELETE', `/servers/${NAME}`, t.tokens.alice);
      await waitForServer(t, NAME, t.tokens.alice, ['STOPPED']);
      const res = await askApi(credentialsToken);
      // Assess
      expect(res.status).toBe(403);
    });
  },
);
