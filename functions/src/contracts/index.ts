// The one entry infra/ and web/ import from functions/ (`#functions/contracts` in the root package.json): what
// the deployment and the portal must agree on with the functions. The functions import these modules directly,
// never this index, so a Lambda bundles only the contracts it uses.

export * from './api-routes.ts';
export * from './asl.ts';
export * from './cluster-setup.ts';
export * from './credential-schemas.ts';
export * from './metric-names.ts';
export * from './notification-schemas.ts';
export * from './portal-csp.ts';
export * from './route-spec.ts';
export * from './run-schemas.ts';
export * from './schemas.ts';
export * from './server-schemas.ts';
export * from './spark-schemas.ts';
export * from './table-design.ts';
