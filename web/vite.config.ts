// Builds the visualiser (web/) into dist/web, which luigid serves at /static/visualiser/.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  // Relative asset URLs: the page works at /static/visualiser/ and behind any path prefix.
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: path.join(here, "../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  worker: { format: "es" },
  logLevel: "warn",
});
