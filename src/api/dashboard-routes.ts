/**
 * The web dashboard (src/dashboard/): three static files served by the API server. The page
 * itself holds no data and needs no token; its script asks for one and calls the API with it.
 * Read once at start: they ship with the program and never change while it runs.
 */
import { readFileSync } from 'node:fs';
import { apiError } from './api-errors.js';
import { defineRoute, type ApiRoute } from './api-route.js';

/** A checkout has them in src/ (current while editing); `npm run build` also copies them next to the compiled code, for installs without src/. */
const DIRS = [new URL('../../src/dashboard/', import.meta.url), new URL('../dashboard/', import.meta.url)];

function readDashboardFile(file: string): string | null {
  for (const dir of DIRS) {
    try {
      return readFileSync(new URL(file, dir), 'utf8');
    } catch {
      /* next place */
    }
  }
  return null;
}

/** The page runs only its own script and style, and may talk only to this server. */
const HEADERS = { 'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'" };

function staticRoute(path: string, file: string, contentType: string, summary: string): ApiRoute {
  const body = readDashboardFile(file);
  return defineRoute({
    method: 'GET',
    path,
    role: 'public',
    doc: { summary, tag: 'dashboard', responses: { 200: { description: contentType } } },
    handler: async () => (body === null ? apiError(404, 'API_NOT_FOUND', `the dashboard's ${file} is not installed (npm run build copies it to dist/dashboard/)`) : { status: 200, text: { contentType, body }, headers: HEADERS }),
  });
}

export function dashboardRoutes(): ApiRoute[] {
  return [
    staticRoute('/', 'index.html', 'text/html; charset=utf-8', 'The web dashboard: machines, the doctor on each one\'s last boot, live events'),
    staticRoute('/dashboard.js', 'dashboard.js', 'text/javascript; charset=utf-8', "The dashboard's script"),
    staticRoute('/dashboard.css', 'dashboard.css', 'text/css; charset=utf-8', "The dashboard's style"),
  ];
}
