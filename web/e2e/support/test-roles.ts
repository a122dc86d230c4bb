// The role registry entries the browser suites configure through ORRERY_ROLES: alice (team `ads`) holds both.

/** The ads team's role on the dev account. */
export const ADS_ANALYST_ROLE = {
  name: 'ads-analyst',
  roleArn: 'arn:aws:iam::123456789012:role/orrery/ads-analyst',
  account: 'ads-dev',
  environment: 'dev',
  maxSessionSeconds: 7200,
  teams: ['ads'],
  description: 'Read the ads data lake',
};

/** The risk team's production role, also granted to alice by name. */
export const RISK_PROD_ROLE = {
  name: 'risk-prod',
  roleArn: 'arn:aws:iam::210987654321:role/risk-prod',
  account: 'risk-prod',
  environment: 'prod',
  maxSessionSeconds: 1800,
  teams: ['risk'],
  users: ['alice'],
  description: 'Risk reports in production',
};
