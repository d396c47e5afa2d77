// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "**/out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          allowDefaultProject: ["*.js", "bin/*.js", "bench/*.js", "scripts/*.js", "test/fixtures/*.mjs"],
        },
      },
    },
    plugins: { "import-x": importX },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // SchedulerApi's in-process implementation is async only to share the interface with the remote one.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import-x/no-cycle": "error",
      // The public surface is src/index.ts: tests and examples import it, not deep paths, except where a
      // test exercises an internal module on purpose; and the stores' published sub-paths.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "luigi-ts/*",
                "!luigi-ts/postgres",
                "!luigi-ts/mysql",
                "!luigi-ts/redis",
                "!luigi-ts/s3",
              ],
              message:
                "import from 'luigi-ts' or a sub-path package.json exports (luigi-ts/postgres, ...) only",
            },
          ],
        },
      ],
    },
    settings: { "import-x/resolver": { node: true } },
  },
  {
    // The visualiser runs in the browser (and its layout in a Web Worker), not in Node.
    files: ["web/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
