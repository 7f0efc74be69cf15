/**
 * OpenAPI 3.1 documents built from the same zod schemas that validate requests, so the
 * document cannot drift from what the code accepts. Served as /openapi.json and /docs.
 */
import type { Express } from 'express';
import { z } from 'zod';
import type { Role } from './auth';
import { docsPage } from './docs-page';

export type ResponseDoc = {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
  /** Defaults to application/json (application/problem+json for errors). */
  mediaType?: string;
};

export type RouteDoc = {
  method: 'get' | 'post';
  /** OpenAPI style: /api/v1/accounts/{accountId} */
  path: string;
  summary: string;
  description?: string;
  pathParams?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  headers?: Array<{ name: string; description: string }>;
  body?: z.ZodType;
  responses: Record<number, ResponseDoc>;
  /**
   * The roles that may call it (a bearer token is then required: 401 without one, 403 for a
   * token without any of these roles). `customer` means: on the customer's own accounts.
   */
  roles?: Role[];
};

const ROLE_TEXT: Record<Role, string> = {
  customer: 'customer (own accounts only)',
  teller: 'teller',
  auditor: 'auditor',
  admin: 'admin',
};

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable `code`' });

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });

export function openApiDocument(info: { title: string; version: string; description: string }, routes: RouteDoc[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters = [
      ...Object.entries(r.pathParams ?? {}).map(([name, s]) => ({
        name,
        in: 'path',
        required: true,
        schema: jsonSchema(s, 'input'),
      })),
      ...Object.entries(r.query?.shape ?? {}).map(([name, s]) => ({
        name,
        in: 'query',
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(s as z.ZodType, 'input'),
      })),
      ...(r.headers ?? []).map((h) => ({
        name: h.name,
        in: 'header',
        required: false,
        description: h.description,
        schema: { type: 'string' },
      })),
    ];
    const description = [
      r.description,
      r.roles ? `Roles: ${r.roles.map((role) => ROLE_TEXT[role]).join(', ')}.` : undefined,
    ].filter(Boolean);
    const responses: Record<number, ResponseDoc> = {
      ...r.responses,
      ...(r.roles ? commonProblems(401, 429) : {}),
      ...(r.roles && r.roles.length < 4 ? commonProblems(403) : {}),
    };
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(description.length > 0 ? { description: description.join('\n\n') } : {}),
      ...(r.roles ? { security: [{ bearer: [] }], 'x-roles': r.roles } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } }
        : {}),
      responses: Object.fromEntries(
        Object.entries(responses).map(([status, res]) => [
          status,
          {
            description: res.description,
            ...(res.headers
              ? {
                  headers: Object.fromEntries(
                    Object.entries(res.headers).map(([n, d]) => [n, { description: d, schema: { type: 'string' } }]),
                  ),
                }
              : {}),
            ...(res.schema
              ? {
                  content: {
                    [res.mediaType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json')]: {
                      schema: jsonSchema(res.schema, 'output'),
                    },
                  },
                }
              : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT of the configured issuer (asymmetric signature; `roles` claim: customer, teller, auditor, admin). ' +
            'Locally: `npm run --silent token -- --sub <id> --role <role>`.',
        },
      },
    },
  };
}

/** Serves the document at /openapi.json and a browsable page at /docs. */
export function mountOpenApi(app: Express, document: ReturnType<typeof openApiDocument>): void {
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsPage(document.info.title));
  });
}

/** Problem responses most routes share. */
export const commonProblems = (...statuses: number[]): Record<number, ResponseDoc> =>
  Object.fromEntries(statuses.map((s) => [s, { description: PROBLEM_TEXT[s] ?? 'error', schema: ProblemSchema }]));

const PROBLEM_TEXT: Record<number, string> = {
  400: 'VALIDATION_FAILED: bad JSON, bad field, bad amount, unknown field',
  401: 'UNAUTHENTICATED: no bearer token, or one that is expired, malformed or not verifiable (WWW-Authenticate: Bearer)',
  403: "FORBIDDEN: the token's roles do not allow this route",
  404: 'ACCOUNT_NOT_FOUND (or TRANSFER_NOT_FOUND)',
  429: 'RATE_LIMITED: too many requests from this principal; retry after Retry-After seconds',
  409: 'ACCOUNT_ALREADY_EXISTS (or TRANSFER_ALREADY_EXISTS: the transferId is taken by a transfer with other details)',
  412: 'VERSION_CONFLICT: If-Match does not match the account version',
  413: 'PAYLOAD_TOO_LARGE: body over 64 KiB',
  422: 'a business rule refused the command (INSUFFICIENT_FUNDS, ACCOUNT_FROZEN, ACCOUNT_CLOSED, ACCOUNT_BALANCE_NOT_ZERO, CURRENCY_MISMATCH, SAME_ACCOUNT_TRANSFER, IDEMPOTENCY_KEY_REUSED)',
  502: 'LOG_VERIFICATION_FAILED: the event log failed client-side verification; the body says why (verification)',
  503: 'SERVICE_UNAVAILABLE: a dependency is down; safe to retry with the same Idempotency-Key',
  504: 'READ_MODEL_LAGGING: minVersion not reached within 5 s',
};

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every route mounted on an express app, as "METHOD /openapi/{style}" strings (for contract tests). */
export function mountedRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}
