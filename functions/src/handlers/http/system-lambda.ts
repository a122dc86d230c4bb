import { makeSystemFunction } from '../../composition/system.ts';

/** Lambda entry of the system routes (liveness, the API description, the caller): no table, no bucket. */
export const handler = await makeSystemFunction();
