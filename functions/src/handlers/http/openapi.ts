import * as z from 'zod';
import type { RouteSpec } from '../../contracts/route-spec.ts';
import { API_ROUTES } from '../../contracts/api-routes.ts';

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;

const ERROR = {
  type: 'object',
  required: ['error', 'message', 'requestId'],
  properties: {
    error: { type: 'string', description: 'stable error code' },
    message: { type: 'string', description: 'what went wrong and what to do' },
    requestId: { type: 'string' },
    details: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const parametersOf = (spec: RouteSpec): Json[] => {
  const fields = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    const json = schema ? schemaOf(schema, 'input') : {};
    const props = (json.properties ?? {}) as Record<string, Json>;
    const required = new Set((json.required as string[]) ?? []);
    return Object.entries(props).map(([name, s]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: s,
    }));
  };
  return [...fields(spec.params, 'path'), ...fields(spec.query, 'query')];
};

const operationOf = (name: string, spec: RouteSpec): Json => {
  const success = spec.produces
    ? { description: 'OK', content: { [spec.produces]: { schema: { type: 'string' } } } }
    : {
        description: 'OK',
        content: { 'application/json': { schema: spec.response ? schemaOf(spec.response, 'output') : {} } },
      };
  const errors = Object.fromEntries(
    ['400', '401', '403', '404', '409', '413', '422', '429', '503'].map((code) => [
      code,
      { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
  return {
    operationId: name,
    summary: spec.summary,
    tags: [spec.group],
    ...(spec.serverToken
      ? { security: [{ serverToken: [] }] }
      : spec.runToken
        ? { security: [{ runToken: [] }] }
        : spec.auth
          ? {}
          : { security: [] }),
    parameters: parametersOf(spec),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } } }
      : {}),
    responses: { [String(spec.status)]: success, ...errors },
  };
};

/** The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas that validate requests. */
export const buildOpenApi = (): Json => {
  const paths: Record<string, Json> = {};
  for (const [name, spec] of Object.entries(API_ROUTES) as [string, RouteSpec][]) {
    paths[spec.path] = { ...paths[spec.path], [spec.method.toLowerCase()]: operationOf(name, spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Orrery API',
      version: '1',
      description:
        'Notebook servers and the idle culler, the Folium archive and parameterized runs. ' +
        'Errors are { error, message, requestId }.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        serverToken: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            '`token <token>`: a token a server got at launch: the server token opens its activity route and the ' +
            "owner's routes under /servers/{name}/lab (for that server's owner, never as an admin), the credentials " +
            "token (its sidecar's) only its credentials route",
        },
      },
      schemas: { Error: ERROR },
    },
    security: [{ bearer: [] }],
    paths,
  };
};
