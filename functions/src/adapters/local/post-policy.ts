import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why S3 would refuse a browser-form POST, as S3 says it: status, error code and message. */
export interface PolicyRefusal {
  status: number;
  code: string;
  message: string;
}

type Condition = Record<string, string> | [string, string | number, string | number];

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

const refuse = (message: string): PolicyRefusal => ({
  status: 403,
  code: 'AccessDenied',
  message: `Invalid according to Policy: ${message}`,
});

const SIGNATURE_MISMATCH: PolicyRefusal = {
  status: 403,
  code: 'SignatureDoesNotMatch',
  message: 'The request signature we calculated does not match the signature you provided.',
};

// What S3 answers when the file is outside the policy's content-length-range.
const SIZE_REFUSALS: Record<string, PolicyRefusal> = {
  EntityTooLarge: {
    status: 400,
    code: 'EntityTooLarge',
    message: 'Your proposed upload exceeds the maximum allowed size',
  },
  EntityTooSmall: {
    status: 400,
    code: 'EntityTooSmall',
    message: 'Your proposed upload is smaller than the minimum allowed size',
  },
};

// The form fields a policy need not name (AWS: the signature itself, the policy, the file, x-ignore-*).
const UNCOVERED = new Set(['policy', 'x-amz-signature', 'file']);

const signatureMatches = (fields: Map<string, string>, secretKey: string): boolean => {
  const [, date, region, service] = (fields.get('x-amz-credential') ?? '').split('/');
  const policy = fields.get('policy') ?? '';
  if (!date || !region || !service || fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') return false;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), service), 'aws4_request');
  const expected = hmac(key, policy);
  const given = Buffer.from(fields.get('x-amz-signature') ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const conditionProblem = (
  condition: Condition,
  fields: Map<string, string>,
  fileSize: number,
  covered: Set<string>,
): string | null => {
  if (!Array.isArray(condition)) {
    const [name, value] = Object.entries(condition)[0] ?? ['', ''];
    covered.add(name.toLowerCase());
    return fields.get(name.toLowerCase()) === value ? null : `Policy Condition failed: ["eq", "$${name}", "${value}"]`;
  }
  const [op, a, b] = condition;
  if (op === 'content-length-range') {
    if (fileSize > Number(b)) return 'EntityTooLarge';
    return fileSize < Number(a) ? 'EntityTooSmall' : null;
  }
  const name = String(a).replace(/^\$/, '').toLowerCase();
  covered.add(name);
  const value = fields.get(name) ?? '';
  if (op === 'eq') return value === b ? null : `Policy Condition failed: ["eq", "$${name}", "${b}"]`;
  if (op === 'starts-with') {
    return value.startsWith(String(b)) ? null : `Policy Condition failed: ["starts-with", "$${name}", "${b}"]`;
  }
  return `unknown condition ${op}`;
};

/**
 * Checks a browser-form POST as S3 does: the policy's V4 signature, its expiration, every condition
 * (exact fields, starts-with, content-length-range on the file) and no field the policy does not cover.
 * Field names are case-insensitive; `bucket` is the bucket the form was posted to. Null when S3 would accept it.
 */
export const checkPostPolicy = (
  form: Map<string, string>,
  fileSize: number,
  bucket: string,
  secretKey: string,
  now: Date,
): PolicyRefusal | null => {
  const fields = new Map([...form].map(([k, v]) => [k.toLowerCase(), v] as const));
  fields.set('bucket', bucket);
  if (!fields.has('policy') || !signatureMatches(fields, secretKey)) return SIGNATURE_MISMATCH;
  let policy: { expiration?: string; conditions?: Condition[] };
  try {
    policy = JSON.parse(Buffer.from(fields.get('policy')!, 'base64').toString('utf8'));
  } catch {
    return refuse('the policy is not base64-encoded JSON');
  }
  if (!(Date.parse(policy.expiration ?? '') > now.getTime())) return refuse('Policy expired.');
  const covered = new Set(['bucket']);
  for (const condition of policy.conditions ?? []) {
    const problem = conditionProblem(condition, fields, fileSize, covered);
    if (problem) return SIZE_REFUSALS[problem] ?? refuse(problem);
  }
  const extra = [...fields.keys()].filter((k) => !covered.has(k) && !UNCOVERED.has(k) && !k.startsWith('x-ignore-'));
  return extra.length ? refuse(`Extra input fields: ${extra.join(', ')}`) : null;
};
