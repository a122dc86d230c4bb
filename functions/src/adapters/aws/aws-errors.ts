import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write lost: the item was not in the state the condition asked for. */
export const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';

/** DynamoDB refused an item over its 400 KB limit. */
export const isItemTooLarge = (err: unknown): boolean => (err as Error)?.name === 'ValidationException' && /item size/i.test((err as Error).message);

/** S3 has no object at that key. */
export const isMissingObject = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};
