import { describe, expect, it } from 'vitest';
import { formatDailyPrice } from './format.ts';
import {
  EMPTY_SPARK_FIELDS,
  formatExecutors,
  notebookCall,
  parseConfLines,
  sparkAsk,
  type SparkAsk,
} from './spark-text.ts';

describe('spark-text', () => {
  it('reads conf lines written key=value or key value, skipping blanks and comments', () => {
    // Prepare
    const text = '# tuning\nspark.sql.shuffle.partitions=64\n\n  spark.eventLog.enabled   true\nspark.a = b=c\n';
    // Act
    const parsed = parseConfLines(text);
    // Assess
    expect(parsed).toEqual({
      conf: { 'spark.sql.shuffle.partitions': '64', 'spark.eventLog.enabled': 'true', 'spark.a': 'b=c' },
      problem: null,
    });
  });

  it('names the lines that hold a key without a value', () => {
    // Prepare
    const text = 'spark.ok=1\nspark.executor.cores\nspark.x=';
    // Act
    const parsed = parseConfLines(text);
    // Assess
    expect(parsed.problem).toBe('Write one key=value a line, e.g. spark.sql.adaptive.enabled=true (line 2, 3).');
    expect(parsed.conf).toEqual({ 'spark.ok': '1' });
  });

  it('asks for the platform defaults when nothing is typed', () => {
    // Prepare
    const fields = EMPTY_SPARK_FIELDS;
    // Act
    const { ask, problems } = sparkAsk(fields);
    // Assess
    expect(ask).toEqual({ conf: {} });
    expect(problems).toEqual({});
  });

  it("turns the fields into Spark's options, which win over the same keys in the conf lines", () => {
    // Prepare
    const fields = {
      pool: ' spot ',
      cores: '8',
      memoryGb: '56',
      maxExecutors: '40',
      conf: 'spark.executor.cores=2\nspark.sql.adaptive.enabled=true',
    };
    // Act
    const { ask } = sparkAsk(fields);
    // Assess
    expect(ask).toEqual({
      pool: 'spot',
      conf: {
        'spark.executor.cores': '8',
        'spark.executor.memory': '56g',
        'spark.executor.instances': '40',
        'spark.sql.adaptive.enabled': 'true',
      },
    });
  });

  it('refuses numbers the rules cannot read, field by field', () => {
    // Prepare
    const fields = { ...EMPTY_SPARK_FIELDS, cores: '0', memoryGb: '28.5', maxExecutors: '2.5', conf: 'oops' };
    // Act
    const { ask, problems } = sparkAsk(fields);
    // Assess
    expect(ask).toBeNull();
    expect(Object.keys(problems).sort()).toEqual(['conf', 'cores', 'maxExecutors', 'memoryGb']);
  });

  it('writes the notebook call that asks for the same Spark', () => {
    // Prepare
    const asks: SparkAsk[] = [
      { conf: {} },
      { pool: 'spot', conf: {} },
      { pool: 'batch', conf: { 'spark.executor.cores': '8', 'spark.app.note': 'say "hi"' } },
    ];
    // Act
    const calls = asks.map(notebookCall);
    // Assess
    expect(calls[0]).toBe('from orrery.spark import create_spark_session\n\nspark = create_spark_session()');
    expect(calls[1]).toMatch(/create_spark_session\(pool="spot"\)$/);
    expect(calls[2]).toMatch(
      /create_spark_session\(\n {4}pool="batch",\n {4}conf=\{\n {8}"spark.executor.cores": "8",\n {8}"spark.app.note": "say \\"hi\\"",\n {4}\},\n\)$/,
    );
  });

  it('says how many executors of which shape, with and without dynamic allocation', () => {
    // Prepare
    const shape = { cores: 4, memoryGb: 28 };
    // Act
    const dynamic = formatExecutors({ executor: shape, dynamicAllocation: true, maxExecutors: 8, initialExecutors: 0 });
    const fixed = formatExecutors({
      executor: { cores: 1, memoryGb: 7 },
      dynamicAllocation: false,
      maxExecutors: 1,
      initialExecutors: 1,
    });
    // Assess
    expect(dynamic).toBe('0 to 8 executors of 4 cores, 28 GB');
    expect(fixed).toBe('1 executor of 1 core, 7 GB');
  });

  it('prices a day of Spark in dollars with cents', () => {
    // Prepare
    const prices = [31.49, 1180.8, null];
    // Act
    const daily = prices.map(formatDailyPrice);
    // Assess
    expect(daily).toEqual(['$31.49/day', '$1,180.80/day', '—']);
  });
});
