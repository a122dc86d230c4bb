import type { RouteSpec } from '../contracts/route-spec.ts';

/** A request matched to a route: its key and decoded path parameters. */
export interface RouteMatch {
  spec: RouteSpec;
  routeKey: string;
  pathParameters: Record<string, string>;
}

const segmentsOf = (path: string) => path.split('/').slice(1);

/**
 * Matches a raw request path against route templates the way API Gateway does: by segment, with
 * `{name}` capturing one decoded segment. Returns 'method' when the path exists for another method.
 */
export const matchRoute = (specs: RouteSpec[], method: string, rawPath: string): RouteMatch | 'method' | null => {
  const parts = segmentsOf(rawPath);
  let otherMethod = false;
  for (const spec of specs) {
    const template = segmentsOf(spec.path);
    if (template.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = template.every((t, i) => {
      const part = parts[i]!;
      if (t.startsWith('{') && t.endsWith('}')) {
        params[t.slice(1, -1)] = safeDecode(part);
        return part.length > 0;
      }
      return t === part;
    });
    if (!fits) continue;
    if (spec.method !== method) {
      otherMethod = true;
      continue;
    }
    return { spec, routeKey: `${spec.method} ${spec.path}`, pathParameters: params };
  }
  return otherMethod ? 'method' : null;
};

const safeDecode = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};
