import { SERVER_LABEL } from './server-manifests.ts';
import { SPARK_EXECUTOR_APP } from './spark-manifests.ts';

// RBAC gives the Spark driver's account pods in the whole servers' namespace; this admission policy narrows what it
// may write to its own server's executors. The caller is known by its token, which the kubelet binds to the server's
// pod: the API server puts that pod's name in the user's extra, and a server's pod is named by the server id, the
// value of every one of its objects' `orrery.dev/server` label. Everything here is pure and tested against literal
// admission requests (functions/test/unit/adapters/spark-admission.test.ts evaluates the CEL).

/** The name of the policy and of its binding. */
export const SPARK_DRIVER_POLICY = 'orrery-spark-driver';

/** The user extra that names the pod a service account token is bound to (TokenRequest tokens, Kubernetes 1.11+). */
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';

/** What the policy needs: the servers' namespace and the two Spark service accounts. */
export interface SparkAdmissionSpec {
  namespace: string;
  driverServiceAccount: string;
  executorServiceAccount: string;
}

const PART_OF = { 'app.kubernetes.io/part-of': 'orrery' };

const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `m[key]` of a labels map that may be absent, or `''`. */
const labelOf = (object: string, key: string) =>
  `(has(${object}.metadata.labels) && ${str(key)} in ${object}.metadata.labels ? ` +
  `${object}.metadata.labels[${str(key)}] : '')`;

const isServerSecret = (name: string) => `(has(${name}) && ${name} == variables.server)`;

/** A volume an executor may have: scratch space, config maps, the downward API, and its server's Secret. */
const VOLUME_ALLOWED = [
  'has(v.emptyDir)',
  'has(v.configMap)',
  'has(v.downwardAPI)',
  `(has(v.secret) && ${isServerSecret('v.secret.secretName')})`,
  '(has(v.projected) && (!has(v.projected.sources) || v.projected.sources.all(p, has(p.configMap) || ' +
    `has(p.downwardAPI) || (has(p.secret) && ${isServerSecret('p.secret.name')}))))`,
].join(' || ');

/** Every Secret a list of containers names in its environment is the server's. */
const containersUseServerSecretOnly = (list: string) =>
  `(!has(object.spec.${list}) || object.spec.${list}.all(c, ` +
  '(!has(c.env) || c.env.all(e, !has(e.valueFrom) || !has(e.valueFrom.secretKeyRef) || ' +
  `${isServerSecret('e.valueFrom.secretKeyRef.name')})) && ` +
  `(!has(c.envFrom) || c.envFrom.all(f, !has(f.secretRef) || ${isServerSecret('f.secretRef.name')}))))`;

const CREATES = "request.operation != 'DELETE'";
const POD_WRITE = `request.resource.resource == 'pods' && ${CREATES}`;

/** One validation: the expression that must hold and what the caller is told when it does not. */
export interface PolicyValidation {
  expression: string;
  message: string;
  reason: 'Forbidden';
}

/** The policy's CEL variables, in order (later ones read earlier ones as `variables.<name>`). */
export const sparkPolicyVariables = () => [
  {
    name: 'server',
    // A token not bound to a pod (a Secret-based or TokenRequest token for the account itself) names no server: ''.
    expression:
      `has(request.userInfo.extra) && ${str(POD_NAME_EXTRA)} in request.userInfo.extra && ` +
      `size(request.userInfo.extra[${str(POD_NAME_EXTRA)}]) == 1 ? ` +
      `request.userInfo.extra[${str(POD_NAME_EXTRA)}][0] : ''`,
  },
  { name: 'newServer', expression: `object == null ? '' : ${labelOf('object', SERVER_LABEL)}` },
  { name: 'oldServer', expression: `oldObject == null ? '' : ${labelOf('oldObject', SERVER_LABEL)}` },
];

/** The policy's validations, each with the message a refused notebook sees. */
export const sparkPolicyValidations = (s: SparkAdmissionSpec): PolicyValidation[] =>
  [
    {
      expression: "variables.server != ''",
      message: `${s.driverServiceAccount} may write only with the token bound to its server's pod`,
    },
    {
      // A collection delete is admitted object by object (with oldObject); a request without one deletes nothing.
      expression: "request.operation == 'CREATE' || oldObject == null || variables.oldServer == variables.server",
      message: `a server may change and delete only objects labelled ${SERVER_LABEL} with its own id`,
    },
    {
      expression: `request.operation == 'DELETE' || variables.newServer == variables.server`,
      message: `a server may create only objects labelled ${SERVER_LABEL} with its own id`,
    },
    {
      expression:
        `!(${POD_WRITE}) || (${labelOf('object', 'spark-role')} == 'executor' && ` +
        `${labelOf('object', 'app.kubernetes.io/name')} == ${str(SPARK_EXECUTOR_APP)})`,
      message: `a server may create only Spark executor pods (spark-role=executor, app ${SPARK_EXECUTOR_APP})`,
    },
    {
      expression:
        `!(${POD_WRITE}) || (has(object.spec.serviceAccountName) && ` +
        `object.spec.serviceAccountName == ${str(s.executorServiceAccount)})`,
      message: `executor pods run as ${s.executorServiceAccount}`,
    },
    {
      expression: `!(${POD_WRITE}) || !has(object.spec.volumes) || object.spec.volumes.all(v, ${VOLUME_ALLOWED})`,
      message:
        "executor pods may mount emptyDir, configMap and downwardAPI volumes and their server's Secret: " +
        'no other Secret, no service account token, no claim',
    },
    {
      expression:
        `!(${POD_WRITE}) || (${containersUseServerSecretOnly('containers')} && ` +
        `${containersUseServerSecretOnly('initContainers')} && ` +
        `${containersUseServerSecretOnly('ephemeralContainers')})`,
      message: "executor pods' containers may read no Secret but their server's",
    },
    {
      expression:
        `!(${POD_WRITE}) || !has(object.spec.imagePullSecrets) || ` +
        `object.spec.imagePullSecrets.all(p, ${isServerSecret('p.name')})`,
      message: "executor pods may name no Secret but their server's",
    },
  ].map((v) => ({ ...v, reason: 'Forbidden' as const }));

/** The username of the driver's account, which the policy matches (its only subject). */
export const driverUsername = (s: SparkAdmissionSpec): string =>
  `system:serviceaccount:${s.namespace}:${s.driverServiceAccount}`;

/**
 * The ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30+) that ties whatever the Spark
 * driver's account writes to the server whose pod holds the token: pods, and the kinds it no longer has rights on
 * (services, config maps, claims) in case its Role grows. It matches that account only; everyone else is untouched.
 * Failing closed: an expression that errors refuses the request.
 */
export const makeSparkDriverPolicy = (s: SparkAdmissionSpec) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: SPARK_DRIVER_POLICY, labels: { ...PART_OF } },
  spec: {
    failurePolicy: 'Fail',
    matchConstraints: {
      resourceRules: [
        {
          apiGroups: [''],
          apiVersions: ['v1'],
          operations: ['CREATE', 'UPDATE', 'DELETE'],
          resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'],
        },
      ],
    },
    matchConditions: [{ name: 'spark-driver', expression: `request.userInfo.username == ${str(driverUsername(s))}` }],
    variables: sparkPolicyVariables(),
    validations: sparkPolicyValidations(s),
  },
});

/** Binds the policy to the servers' namespace, denying what it refuses. */
export const makeSparkDriverPolicyBinding = (s: SparkAdmissionSpec) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name: SPARK_DRIVER_POLICY, labels: { ...PART_OF } },
  spec: {
    policyName: SPARK_DRIVER_POLICY,
    validationActions: ['Deny'],
    matchResources: {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } },
    },
  },
});
