import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write lost: the item was not in the state the condition asked for. */
export const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';

/** DynamoDB refused an item over its 400 KB limit. */
export const isItemTooLarge = (err: unknown): boolean =>
  (err as Error)?.name === 'ValidationException' && /item size/i.test((err as Error).message);

/**
 * S3 refused to say whether the key exists: without s3:ListBucket (which Orrery's functions do not get, so they
 * cannot list each other's keys) a HEAD or GET of a missing key answers 403, not 404.
 */
export const isUnlistedObject = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'AccessDenied' || e?.name === 'Forbidden' || e?.$metadata?.httpStatusCode === 403;
};

/** S3 has no object at that key. */
export const isMissingObject = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};
