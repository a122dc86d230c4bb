import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnAccessEntry, CfnAddon, CfnPodIdentityAssociation } from 'aws-cdk-lib/aws-eks';
import { ManagedPolicy, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { clusterGroupName, type ClusterGroupKey, type ClusterSetup } from '#functions/contracts';
import type { InfraConfig } from '../config.ts';
import { acknowledge } from '../function-access.ts';
import type { ApiStack } from './api-stack.ts';
import type { SchedulesStack } from './schedules-stack.ts';
import type { WorkflowsStack } from './workflows-stack.ts';

/** A role that calls the Kubernetes API and the function group whose Role it gets. */
export interface ClusterAccess {
  role: IRole;
  group: ClusterGroupKey;
}

/** What the compute-access stack needs. */
export interface ComputeAccessStackProps extends StackProps {
  config: InfraConfig;
  /** In a fixed order: each entry's logical id is its position, so a redeploy updates entries in place. */
  clusterAccess: ClusterAccess[];
}

/** What the cluster's objects (`infra/k8s`, `npm run k8s:manifests`) are built from: the fields the stacks read. */
export const clusterSetupOf = (config: InfraConfig): ClusterSetup => ({
  name: config.name,
  serverNamespace: config.eks.serverNamespace,
  runnerNamespace: config.eks.runnerNamespace,
  serverServiceAccount: config.eks.serverServiceAccount,
  runnerServiceAccount: config.eks.runnerServiceAccount,
  network: config.eks.network,
});

/**
 * Every role the stacks say calls the Kubernetes API, with its function group: the servers routes, the launch
 * task, the culler, and the run and stop-run state machines (eks:runJob, eks:call). A role with no group stops
 * synth rather than going without rights (or with someone else's).
 */
export const clusterAccessOf = (
  api: ApiStack,
  workflows: WorkflowsStack,
  schedules: SchedulesStack,
): ClusterAccess[] => {
  const groups = new Map<IRole, ClusterGroupKey>();
  const put = (key: ClusterGroupKey, role: IRole | undefined) => role && groups.set(role, key);
  put('serverApi', api.functions.servers.role);
  put('serverTasks', (workflows.node.tryFindChild('ServerTasks') as { role?: IRole } | undefined)?.role);
  put('culler', schedules.culler.role);
  put('runWorkflow', workflows.stateMachines.run?.role);
  put('runWorkflow', workflows.stateMachines.stopRun?.role);
  return [...api.clusterRoles, ...workflows.clusterRoles, ...schedules.clusterRoles].map((role) => {
    const group = groups.get(role);
    const fix = 'give it one in clusterAccessOf';
    if (!group) throw new Error(`${role.node.path} calls the Kubernetes API but has no function group: ${fix}`);
    return { role, group };
  });
};

/**
 * EKS access entries for Orrery's roles, and Pod Identity for runner pods (not for server pods: see below).
 *
 * An access entry puts a role in its function group's Kubernetes group and grants nothing else (no access policy):
 * the Roles and RoleBindings of `infra/k8s` (applied with `kubectl apply -k infra/k8s`, before this stack) say what
 * each group may do, in its own namespace only. They live there rather than here because making Kubernetes objects
 * from CloudFormation needs a kubectl provider (a Lambda layer built with Docker).
 */
export class ComputeAccessStack extends Stack {
  /** The role runner pods run as (Pod Identity). */
  readonly runnerRole: IRole;

  constructor(scope: Construct, id: string, props: ComputeAccessStackProps) {
    super(scope, id, props);
    const { eks, name } = props.config;

    props.clusterAccess.forEach(({ role, group }, i) => {
      new CfnAccessEntry(this, `AccessEntry${i}`, {
        clusterName: eks.clusterName,
        principalArn: role.roleArn,
        type: 'STANDARD',
        kubernetesGroups: [clusterGroupName(name, group)],
      });
    });

    // The runner reads its input and writes its output through presigned URLs Prepare made, which carry the
    // signer's rights: the pod itself needs no S3 permission (and this stack no bucket), so its role has none.
    this.runnerRole = this.podRole(
      'RunnerRole',
      'Notebook runner pods (Pod Identity); no AWS permissions: S3 access comes from presigned URLs',
    );
    new CfnPodIdentityAssociation(this, 'RunnerPodIdentity', {
      clusterName: eks.clusterName,
      namespace: eks.runnerNamespace,
      serviceAccount: eks.runnerServiceAccount,
      roleArn: this.runnerRole.roleArn,
    });
    if (eks.ebsCsiDriverAddon) this.ebsCsiDriver(eks.clusterName);
    // The server service account deliberately has no association. Server pods get AWS keys for their owner's role
    // from their credentials sidecar (AWS_CONTAINER_CREDENTIALS_FULL_URI on 127.0.0.1); with an association the Pod
    // Identity webhook would inject its own FULL_URI and token file into every container, shadowing the sidecar's
    // with one role shared by every user's server.
  }

  /**
   * The EBS CSI driver add-on, which makes, attaches and deletes the server homes' gp3 volumes (the orrery-gp3
   * StorageClass of `infra/k8s`), and the role its controller's service account gets through Pod Identity, as the
   * add-on documents it: AWS's AmazonEBSCSIDriverPolicy. That policy limits deletes and detaches to volumes the driver
   * tagged; its creates cannot name a volume that does not exist yet.
   */
  private ebsCsiDriver(clusterName: string): void {
    const role = this.podRole('EbsCsiDriverRole', 'EBS CSI driver controller (Pod Identity): server home volumes');
    role.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEBSCSIDriverPolicy'));
    new CfnAddon(this, 'EbsCsiDriver', {
      clusterName,
      addonName: 'aws-ebs-csi-driver',
      podIdentityAssociations: [{ serviceAccount: 'ebs-csi-controller-sa', roleArn: role.roleArn }],
    });
    acknowledge(role, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy]':
        "AmazonEBSCSIDriverPolicy is the add-on's documented policy, kept by AWS in step with the driver's calls.",
    });
  }

  /** A role only the EKS Pod Identity agent may assume (it tags sessions with the pod's namespace and account). */
  private podRole(id: string, description: string): Role {
    // withSessionTags adds sts:TagSession beside sts:AssumeRole, which the Pod Identity agent requires.
    return new Role(this, id, {
      description,
      assumedBy: new ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
    });
  }
}
