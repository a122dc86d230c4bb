import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnAccessEntry, CfnPodIdentityAssociation } from 'aws-cdk-lib/aws-eks';
import { Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';

/** What the compute-access stack needs. */
export interface ComputeAccessStackProps extends StackProps {
  config: InfraConfig;
  clusterRoles: IRole[];
}

/** The AWS-managed Kubernetes policy Orrery's roles get, scoped to Orrery's namespace only. */
export const EKS_EDIT_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';

/**
 * EKS access entries for Orrery's roles, and Pod Identity for runner and server pods.
 *
 * The namespace itself is not created here: that needs a kubectl provider (a Lambda layer built with Docker).
 * The platform team creates it once (`kubectl create namespace <eks.namespace>`), as the README says; the
 * service accounts likewise (`kubectl create serviceaccount … -n <namespace>`). Pod Identity only binds them.
 */
export class ComputeAccessStack extends Stack {
  /** The role runner pods run as (Pod Identity). */
  readonly runnerRole: IRole;
  /** The role notebook-server pods run as (Pod Identity). */
  readonly serverRole: IRole;

  constructor(scope: Construct, id: string, props: ComputeAccessStackProps) {
    super(scope, id, props);
    const { eks } = props.config;

    props.clusterRoles.forEach((role, i) => {
      // Edit, not admin, and only in Orrery's namespace: pods, Jobs and Services there, nothing cluster-wide.
      new CfnAccessEntry(this, `AccessEntry${i}`, {
        clusterName: eks.clusterName,
        principalArn: role.roleArn,
        type: 'STANDARD',
        accessPolicies: [{ policyArn: EKS_EDIT_POLICY_ARN, accessScope: { type: 'namespace', namespaces: [eks.namespace] } }],
      });
    });

    // The runner reads its input and writes its output through presigned URLs Prepare made, which carry the
    // signer's rights: the pod itself needs no S3 permission (and this stack no bucket), so its role has none.
    this.runnerRole = this.podRole('RunnerRole', 'Notebook runner pods (Pod Identity); no AWS permissions: S3 access comes from presigned URLs');
    // Notebook servers get AWS credentials from the credentials capability (per user, short-lived), not from this role.
    this.serverRole = this.podRole('ServerRole', 'Notebook server pods (Pod Identity); no AWS permissions by default');
    new CfnPodIdentityAssociation(this, 'RunnerPodIdentity', { clusterName: eks.clusterName, namespace: eks.namespace, serviceAccount: eks.runnerServiceAccount, roleArn: this.runnerRole.roleArn });
    new CfnPodIdentityAssociation(this, 'ServerPodIdentity', { clusterName: eks.clusterName, namespace: eks.namespace, serviceAccount: eks.serverServiceAccount, roleArn: this.serverRole.roleArn });
  }

  /** A role only the EKS Pod Identity agent may assume (it tags sessions with the pod's namespace and account). */
  private podRole(id: string, description: string): Role {
    // withSessionTags adds sts:TagSession beside sts:AssumeRole, which the Pod Identity agent requires.
    return new Role(this, id, { description, assumedBy: new ServicePrincipal('pods.eks.amazonaws.com').withSessionTags() });
  }
}
