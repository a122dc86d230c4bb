/**
 * The one fixed account of local mode's emulators: every client signs with it, and the local S3's check of
 * presigned POST policies verifies their signatures with its secret (s3rver's own default account). Dynalite
 * takes any credentials; using these everywhere leaves one account to reason about.
 */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
