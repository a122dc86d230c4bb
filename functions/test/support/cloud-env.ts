/**
 * What the CDK app gives every function: the table, the bucket and the state machines. The cursor secret goes to
 * the functions that serve lists only, so it is not here.
 */
export const CLOUD_ENV = {
  ORRERY_TABLE: 't',
  ORRERY_BUCKET: 'b',
  AWS_REGION: 'eu-west-1',
  ORRERY_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:run',
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:stop-run',
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:launch-server',
};

/** CLOUD_ENV with a cursor secret, as the listing functions get. */
export const CLOUD_ENV_WITH_CURSORS = { ...CLOUD_ENV, ORRERY_CURSOR_SECRET: 'c'.repeat(48) };
