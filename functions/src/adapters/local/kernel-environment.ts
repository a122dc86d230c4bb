/**
 * The variables local kernels (runs and servers) take from the platform's own environment. Everything else
 * (the developer's AWS keys, ORRERY_* settings, tokens of other tools) stays out: a notebook's code can
 * print its environment. What a kernel needs to start and to find Python, Jupyter and its kernelspecs is here.
 */
export const KERNEL_ENVIRONMENT: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'PYTHONPATH',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'JUPYTER_PATH',
  'JUPYTER_DATA_DIR',
  'JUPYTER_CONFIG_DIR',
  // pyspark in a local kernel (orrery.spark) starts a JVM: it needs Java and, with a Spark distribution rather than
  // pip's pyspark, the distribution's home. Neither holds a secret.
  'JAVA_HOME',
  'SPARK_HOME',
];

/** Variable names a developer adds with ORRERY_KERNEL_ENV (`HTTPS_PROXY,NO_PROXY`); anything not a name is ignored. */
export const extraKernelVariables = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));

/**
 * A kernel's environment: the allowlisted variables (and the `extra` names) found in `from`, then the
 * variables this launch sets itself (`own`), which win.
 */
export const kernelEnvironment = (
  from: NodeJS.ProcessEnv,
  extra: readonly string[],
  own: Record<string, string>,
): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const name of [...KERNEL_ENVIRONMENT, ...extra]) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...own };
};
