import { makeCredentialsFunction } from '../../composition/credentials.ts';

/** Lambda entry of the credentials routes: the role registry, DynamoDB, and STS loaded on the first issue. */
export const handler = await makeCredentialsFunction();
