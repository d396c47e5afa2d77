/**
 * The visualiser's built assets (web/, built by `npm run build` into dist/web) served at
 * /static/visualiser/, Luigi's URL, so that `GET /` (a redirect there) and old bookmarks keep working.
 * The folder is found relative to this module, so luigid serves it from any working directory.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

export const VISUALISER_PREFIX = "/static/visualiser/";

/** dist/server/static-routes.js -> dist/web; src/server/static-routes.ts (tests) -> dist/web. */
export function findVisualiserAssets(moduleUrl: string = import.meta.url): string | null {
  const here = path.dirname(fileURLToPath(moduleUrl));
  for (const candidate of [path.join(here, "../web"), path.join(here, "../../dist/web")]) {
    if (existsSync(path.join(candidate, "index.html"))) return candidate;
  }
  return null;
}

/** A Fastify plugin; `root` overrides where the built assets are (default: findVisualiserAssets()). */
export async function registerStaticRoutes(
  app: FastifyInstance,
  options: { root?: string | null } = {},
): Promise<void> {
  const root = options.root === undefined ? findVisualiserAssets() : options.root;
  app.get("/static/visualiser", async (_request, reply) => reply.redirect("visualiser/"));
  if (root === null) {
    app.get(`${VISUALISER_PREFIX}*`, async (_request, reply) =>
      reply
        .code(404)
        .type("text/plain; charset=UTF-8")
        .send("The visualiser is not built: run `npm run build` (it writes dist/web).\n"),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: VISUALISER_PREFIX,
    index: "index.html",
    decorateReply: false,
    cacheControl: false,
    // File names under assets/ carry a content hash: cache them for good; index.html always revalidates.
    setHeaders: (res, filePath) => {
      const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
      res.setHeader("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
}
