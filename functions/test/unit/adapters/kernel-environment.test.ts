import { describe, expect, it } from 'vitest';
import { extraKernelVariables, kernelEnvironment } from '../../../src/adapters/local/kernel-environment.ts';

describe('kernelEnvironment', () => {
  it('passes only the allowlisted variables (Java and Spark for pyspark too) and the launch’s own, never keys', () => {
    // Prepare
    const platform = {
      PATH: '/usr/bin',
      HOME: '/home/dev',
      LANG: 'C.UTF-8',
      AWS_SECRET_ACCESS_KEY: 'k',
      AWS_ACCESS_KEY_ID: 'id',
      ORRERY_CURSOR_SECRET: 's',
      GITHUB_TOKEN: 't',
      JUPYTER_PATH: '/j',
      JAVA_HOME: '/usr/lib/jvm/java-17',
      SPARK_HOME: '/opt/spark',
    };
    // Act
    const env = kernelEnvironment(platform, [], { ORRERY_RUN_ID: 'run-1', PATH: '/override' });
    // Assess
    expect(env).toEqual({
      PATH: '/override',
      HOME: '/home/dev',
      LANG: 'C.UTF-8',
      JUPYTER_PATH: '/j',
      JAVA_HOME: '/usr/lib/jvm/java-17',
      SPARK_HOME: '/opt/spark',
      ORRERY_RUN_ID: 'run-1',
    });
  });

  it('adds the names a developer lists in ORRERY_KERNEL_ENV, and ignores what is not a name', () => {
    // Prepare
    const extra = extraKernelVariables(' HTTPS_PROXY, NO_PROXY,,bad name,=x ');
    // Act
    const env = kernelEnvironment({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost', OTHER: 'o' }, extra, {});
    // Assess
    expect(extra).toEqual(['HTTPS_PROXY', 'NO_PROXY']);
    expect(env).toEqual({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost' });
  });
});
