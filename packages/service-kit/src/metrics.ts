/**
 * Prometheus metrics with prom-client: one registry per process (every series labelled with the
 * app's name, Node's default process metrics included), request rate, latency and errors per
 * route for every express app, and `GET /metrics` in the Prometheus text format. Each app adds
 * its own metrics to the same registry. docs/operations.md lists every metric.
 */
import http from 'node:http';
import type { Express, Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { bindAddress, envPort } from './config';

/** The metric kinds, for the apps' own metrics (they depend on this package, not on prom-client). */
export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** This process's registry: what `GET /metrics` shows. */
export const metricsRegistry = new Registry();

/**
 * Labels every series of `registry` with the app's name and starts Node's default metrics; once,
 * at start. With METRICS_PORT set, `GET /metrics` is also served on that port alone.
 */
export function startProcessMetrics(app: string, registry = metricsRegistry): http.Server | undefined {
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  const port = envPort('METRICS_PORT', 0);
  return port === 0 ? undefined : serveMetrics(port, registry);
}

/**
 * `GET /metrics` on a port of its own, and nothing else: on Kubernetes, Prometheus is let in on
 * this port while the app's own port stays closed to every pod but its sidecar
 * (deploy/kubernetes/network-policy.yaml). Does not keep the process alive.
 */
export function serveMetrics(port: number, registry = metricsRegistry, host = bindAddress()): http.Server {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  server.listen(port, host).unref();
  return server;
}

/**
 * The metric of that name in `registry`, made by `make` the first time: apps and tests build
 * several express apps on one registry, and prom-client refuses a name registered twice.
 */
export function registered<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const HTTP_LABELS = ['method', 'route', 'status'] as const;

function httpMetrics(registry: Registry) {
  return {
    requests: registered(
      registry,
      'bank_http_requests_total',
      () =>
        new Counter({
          name: 'bank_http_requests_total',
          help: 'HTTP requests answered, by method, route pattern and status',
          labelNames: HTTP_LABELS,
          registers: [registry],
        }),
    ),
    errors: registered(
      registry,
      'bank_http_request_errors_total',
      () =>
        new Counter({
          name: 'bank_http_request_errors_total',
          help: 'HTTP requests answered with a 5xx status, by method, route pattern and status',
          labelNames: HTTP_LABELS,
          registers: [registry],
        }),
    ),
    duration: registered(
      registry,
      'bank_http_request_duration_seconds',
      () =>
        new Histogram({
          name: 'bank_http_request_duration_seconds',
          help: 'Time from a request arriving to its answer being written, by method, route pattern and status',
          labelNames: HTTP_LABELS,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers: [registry],
        }),
    ),
  };
}

/** Methods outside this list are counted as OTHER: the method label stays bounded too. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Remembers the route pattern that matches `req` (`/api/v1/accounts/:accountId`), never the raw
 * path, so the number of series stays bounded. Express sets `req.route` when a route matches,
 * with `req.baseUrl` the prefix of its router at that moment; an error passed on from the route
 * leaves the router and resets `req.baseUrl`, so the pattern is taken when `req.route` is set.
 * Returns the label: `unmatched` when no route matched (404, or refused before any route, e.g.
 * 401 or 429 by a guard mounted with `app.use`).
 */
function trackRoute(req: Request): () => string {
  let route: unknown;
  let pattern: string | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (typeof value?.path === 'string') pattern = `${req.baseUrl}${value.path}` || '/';
    },
  });
  return () => pattern ?? 'unmatched';
}

/** Counts and times every request once its answer is written (first middleware of an app). */
export function httpMetricsMiddleware(registry = metricsRegistry): RequestHandler {
  const m = httpMetrics(registry);
  return (req, res, next) => {
    const stop = m.duration.startTimer();
    const route = trackRoute(req);
    res.once('finish', () => {
      const labels = {
        method: METHODS.has(req.method) ? req.method : 'OTHER',
        route: route(),
        status: String(res.statusCode),
      };
      stop(labels);
      m.requests.inc(labels);
      if (res.statusCode >= 500) m.errors.inc(labels);
    });
    next();
  };
}

/**
 * `GET /metrics` in the Prometheus text format on the app's own port, unless METRICS_PORT is set:
 * then the metrics are on that port only, and a public API's port (reachable through an ingress)
 * does not show them. Like the probes it needs no token (see app-token.ts): it is scraped
 * directly, never through the sidecar.
 */
export function mountMetrics(app: Pick<Express, 'get'>, registry = metricsRegistry, env = process.env): void {
  if (envPort('METRICS_PORT', 0, env) !== 0) return;
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
}
