/** luigid serves the built visualiser at Luigi's URL, found relative to its own module. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Fastify from "fastify";
import { describe, expect, test } from "vitest";
import { findVisualiserAssets, registerStaticRoutes } from "../../src/server/static-routes.js";

function fakeBuild(): string {
  const root = mkdtempSync(path.join(tmpdir(), "luigi-ts-web-"));
  mkdirSync(path.join(root, "assets"));
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>luigi-ts</title>");
  writeFileSync(path.join(root, "assets/app-1234.js"), "console.log(1)");
  return root;
}

describe("static routes", () => {
  test("index.html revalidated, hashed assets cached for good, /static/visualiser redirected", async () => {
    const app = Fastify();
    await app.register(registerStaticRoutes, { root: fakeBuild() });
    const index = await app.inject("/static/visualiser/index.html");
    expect(index.statusCode).toBe(200);
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect((await app.inject("/static/visualiser/")).body).toContain("<title>luigi-ts</title>");
    const asset = await app.inject("/static/visualiser/assets/app-1234.js");
    expect(asset.headers["cache-control"]).toContain("immutable");
    const bare = await app.inject("/static/visualiser");
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe("visualiser/");
    expect((await app.inject("/static/visualiser/nope.js")).statusCode).toBe(404);
    await app.close();
  });

  test("without a build: a 404 that says how to build it", async () => {
    const app = Fastify();
    await app.register(registerStaticRoutes, { root: null });
    const res = await app.inject("/static/visualiser/index.html");
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("npm run build");
    await app.close();
  });

  test("the assets are found next to the compiled module (dist/server -> dist/web)", () => {
    const dist = fakeBuild();
    const moduleFile = path.join(path.dirname(dist), path.basename(dist), "server", "static-routes.js");
    const web = path.join(path.dirname(moduleFile), "../web");
    mkdirSync(path.dirname(moduleFile), { recursive: true });
    mkdirSync(web, { recursive: true });
    writeFileSync(path.join(web, "index.html"), "x");
    expect(findVisualiserAssets(pathToFileURL(moduleFile).href)).toBe(web);
  });
});
