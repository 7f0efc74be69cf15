// The operators' dashboard (docs/dashboard.md): its built files at `/`, and where the browser
// finds the command API. The pages are open; every data call they make carries a bearer token.
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '@bank/service-kit';
import express, { Router, type Response } from 'express';

export type DashboardOptions = {
  /** The command API's URL as the browser reaches it (PUBLIC_COMMAND_API_URL). */
  commandApiUrl: string;
  /** The built dashboard (default: @bank/dashboard's dist/); tests point it elsewhere. */
  distDir?: string;
};

export function dashboardRoutes(opts: DashboardOptions): Router {
  const dist = opts.distDir ?? defaultDistDir();
  const commandOrigin = new URL(opts.commandApiUrl).origin;
  // Same origin only, but for the command API the forms post to; no inline script or style
  // (preact sets styles through the DOM, which CSP allows), no frames, no plugins.
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${commandOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const secure = (res: Response) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-cache');
  };

  const router = Router();
  router.get('/dashboard/config.json', (_req, res) => {
    secure(res);
    res.json({ commandApiUrl: opts.commandApiUrl.replace(/\/+$/, '') });
  });
  router.get(['/', '/index.html'], (_req, _res, next) => {
    if (dist && fs.existsSync(path.join(dist, 'index.html'))) next();
    else next(new ApiError('SERVICE_UNAVAILABLE', 'the dashboard is not built: run `npm run build`'));
  });
  if (dist) router.use(express.static(dist, { index: 'index.html', setHeaders: secure }));
  return router;
}

/** dist/ of the @bank/dashboard workspace, or undefined when it is not installed beside this app. */
function defaultDistDir(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('@bank/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}
