/** One test case of a JUnit XML report: its name (`classname › name`), how it ended, and why when it failed. */
export interface JunitCase {
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const codePoint = (reference: string): string =>
  String.fromCodePoint(/^#x/i.test(reference) ? parseInt(reference.slice(2), 16) : Number(reference.slice(1)));

const decode = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) =>
    name.startsWith('#') ? codePoint(name) : (ENTITIES[name] ?? entity),
  );

const attributes = (text: string): Record<string, string> =>
  Object.fromEntries([...text.matchAll(/([\w:.-]+)="([^"]*)"/g)].map(([, key, value]) => [key, decode(value ?? '')]));

/**
 * The cases of a JUnit XML report as pytest's `--junitxml` writes it (ElementTree: attributes in double quotes,
 * `<`, `>` and newlines escaped, no CDATA). A case with a `failure` or an `error` (a fixture or collection
 * error) failed; one with `skipped` was skipped.
 */
export const junitCases = (xml: string): JunitCase[] =>
  [...xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map(([, head = '', body = '']) => {
    const own = attributes(head);
    const name = [own.classname, own.name].filter(Boolean).join(' › ');
    const problem = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (problem) {
      const detail = [attributes(problem[2] ?? '').message, decode(problem[3] ?? '')].filter(Boolean).join('\n\n');
      return { name, outcome: 'failed', detail: detail || (problem[1] ?? 'failure') };
    }
    return { name, outcome: /<skipped\b/.test(body) ? 'skipped' : 'passed', detail: '' };
  });
