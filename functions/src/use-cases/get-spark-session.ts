import type { User } from '../domain/user.ts';
import { findSparkSession, type SparkDeps, type SparkSessionView, viewSparkSession } from './spark-deps.ts';

/** What reading one session needs. */
export type GetSparkSessionDeps = Pick<SparkDeps, 'sparkSessions'>;

/** GET /spark/sessions/{id}: one session, for its owner or an admin (404 for anyone else). */
export const getSparkSession = async (
  deps: GetSparkSessionDeps,
  input: { user: User; id: string },
): Promise<SparkSessionView> => viewSparkSession(await findSparkSession(deps, input.user, input.id));
