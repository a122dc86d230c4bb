import { makeRunsFunction } from '../../composition/runs.ts';

/** Lambda entry of the run routes: DynamoDB, S3 and Step Functions (start and stop the run workflow). */
export const handler = await makeRunsFunction();
