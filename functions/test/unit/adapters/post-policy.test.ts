import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { describe, expect, it } from 'vitest';
import { makeS3Client } from '../../../src/adapters/aws/s3-client.ts';
import { checkPostPolicy } from '../../../src/adapters/local/post-policy.ts';

const s3 = makeS3Client({ region: 'us-east-1', s3Endpoint: 'http://127.0.0.1:1', localCredentials: true });

// A form as the platform signs one: the upload key, a Content-Type, and a length range.
const signedForm = async (expires = 60) => {
  const { fields } = await createPresignedPost(s3, {
    Bucket: 'b',
    Key: 'uploads/nb-1/up-1',
    Conditions: [['content-length-range', 1, 1000]],
    Fields: { 'Content-Type': 'application/x-ipynb+json' },
    Expires: expires,
  });
  return new Map(Object.entries(fields));
};

describe('checkPostPolicy, as S3 checks a browser-form POST', () => {
  it('accepts the form the platform signed with a file inside the range', async () => {
    // Prepare
    const form = await signedForm();
    // Act
    const refusal = checkPostPolicy(form, 1000, 'b', 'S3RVER', new Date());
    // Assess
    expect(refusal).toBeNull();
  });

  it('refuses a file past the content-length-range, and an empty one, as S3 does', async () => {
    // Prepare
    const form = await signedForm();
    // Act
    const tooLarge = checkPostPolicy(form, 1001, 'b', 'S3RVER', new Date());
    const empty = checkPostPolicy(form, 0, 'b', 'S3RVER', new Date());
    // Assess
    expect(tooLarge).toMatchObject({ status: 400, code: 'EntityTooLarge' });
    expect(empty).toMatchObject({ status: 400, code: 'EntityTooSmall' });
  });

  it('refuses a form whose key, policy or signature was changed, or whose policy expired', async () => {
    // Prepare
    const form = await signedForm();
    const policy = JSON.parse(Buffer.from(form.get('Policy')!, 'base64').toString());
    policy.conditions = policy.conditions.map((c: unknown) =>
      Array.isArray(c) ? ['content-length-range', 1, 10 ** 12] : c,
    );
    const now = new Date();
    // Act
    const otherKey = checkPostPolicy(new Map([...form, ['key', 'bodies/abc']]), 10, 'b', 'S3RVER', now);
    const stretched = checkPostPolicy(
      new Map([...form, ['Policy', Buffer.from(JSON.stringify(policy)).toString('base64')]]),
      10,
      'b',
      'S3RVER',
      now,
    );
    const wrongSecret = checkPostPolicy(form, 10, 'b', 'other', now);
    const otherBucket = checkPostPolicy(form, 10, 'other-bucket', 'S3RVER', now);
    const expired = checkPostPolicy(form, 10, 'b', 'S3RVER', new Date(now.getTime() + 120_000));
    const extraField = checkPostPolicy(new Map([...form, ['x-amz-meta-owner', 'mallory']]), 10, 'b', 'S3RVER', now);
    // Assess
    expect(otherKey).toMatchObject({ status: 403, message: expect.stringMatching(/\$key/) });
    expect(stretched).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(wrongSecret).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(otherBucket).toMatchObject({ status: 403, message: expect.stringMatching(/\$bucket/) });
    expect(expired).toMatchObject({ status: 403, message: expect.stringMatching(/expired/) });
    expect(extraField).toMatchObject({
      status: 403,
      message: expect.stringMatching(/Extra input fields: x-amz-meta-owner/),
    });
  });

  it('refuses a form with no policy at all', () => {
    expect(checkPostPolicy(new Map([['key', 'bodies/abc']]), 10, 'b', 'S3RVER', new Date())).toMatchObject({
      status: 403,
    });
  });
});
