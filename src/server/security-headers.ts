/**
 * Security headers on every answer luigid gives (pages, assets, API answers, errors, 404s), set by
 * @fastify/helmet. The Content-Security-Policy allows only luigid's own files: no inline script or
 * style, no eval, no plugins, no framing (clickjacking a "Mark as done" button), forms and fetches to
 * luigid only. The visualiser (Vite's build: external module scripts, a stylesheet, a worker file) and
 * the history pages (a stylesheet at HISTORY_STYLESHEET_PATH, classes instead of style attributes) are
 * built to pass it.
 *
 * Left out on purpose: Strict-Transport-Security. Browsers apply it to the host name on every port, so a
 * luigid on https://ops:8082 would turn plain-HTTP services at http://ops:8080 away for a year; set it at
 * a proxy that owns the host name, if wanted.
 */
import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/** The policy's directives, by name. */
export function contentSecurityPolicy(options: { https: boolean }): Record<string, string[]> {
  return {
    "default-src": ["'self'"],
    "base-uri": ["'self'"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    // data: for the visualiser's empty favicon (`<link rel="icon" href="data:,">`).
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "script-src": ["'self'"],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'"],
    // The graph's layout runs in a Web Worker that Vite emits as a file of its own.
    "worker-src": ["'self'"],
    // Only when luigid itself speaks HTTPS: over plain HTTP it would send the browser to an https:// that
    // does not answer.
    ...(options.https ? { "upgrade-insecure-requests": [] } : {}),
  };
}

export function securityHeaderOptions(options: { https: boolean }): FastifyHelmetOptions {
  return {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(options) },
    strictTransportSecurity: false,
    // The same as frame-ancestors 'none', for browsers that know only this header.
    xFrameOptions: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
  };
}

/** Registers the headers on `app` (before its routes, so they cover every one). */
export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  void app.register(helmet, securityHeaderOptions(options));
}
