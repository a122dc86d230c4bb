import { makeNotebooksFunction } from '../../composition/notebooks.ts';

/** Lambda entry of the notebook routes (Folium): DynamoDB and S3. */
export const handler = await makeNotebooksFunction();
