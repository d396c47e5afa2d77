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
    rollupOptions: {
      input: {
        index: path.join(here, "index.html"),
        // The chart of the server-rendered /tasklist/{name} page: a fixed name, so luigid can link it
        // (it is served with no-cache; the chunks it imports keep their hashed names).
        "history-chart": path.join(here, "src/history-chart/main.ts"),
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === "history-chart" ? "history-chart.js" : "assets/[name]-[hash].js",
      },
    },
  },
  worker: { format: "es" },
  logLevel: "warn",
});
