import { FAKE_STS_CALLER, type FakeSts } from './fake-sts.ts';

// What the SDK's default chain and endpoint settings read from the process environment, as `npm start` has them.
const AWS_NAMES = [
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_STS',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
];

/**
 * Replaces this process's AWS settings (which a platform it starts inherits) with `values` alone: no shared files,
 * no instance metadata, nothing of the developer's. Returns what puts the earlier settings back.
 */
export const setAwsEnvironment = (values: Record<string, string>): (() => void) => {
  const saved = Object.fromEntries(AWS_NAMES.map((n) => [n, process.env[n]]));
  for (const name of AWS_NAMES) delete process.env[name];
  Object.assign(process.env, {
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...values,
  });
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
};

/** The broker's settings for a platform that assumes roles at the fake STS: its endpoint and its caller's keys. */
export const fakeStsBroker = (sts: FakeSts): Record<string, string> => ({
  AWS_ENDPOINT_URL_STS: sts.url,
  AWS_ACCESS_KEY_ID: FAKE_STS_CALLER.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FAKE_STS_CALLER.secretAccessKey,
});
