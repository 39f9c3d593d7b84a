// @ts-check
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// Modules that do I/O. The pure core must not reach them: time, config and
// readings come in as arguments so every decision is testable with a table.
const ioModules = [
  "fs",
  "fs/promises",
  "http",
  "https",
  "net",
  "tls",
  "dns",
  "child_process",
  "worker_threads",
  "dgram",
  "os",
  "process",
].flatMap((m) => [m, `node:${m}`]);

export default defineConfig(
  {
    ignores: ["dist/**", ".funcpackage/**", "node_modules/**", "coverage/**", "test-artifacts/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector: "TSEnumDeclaration",
          message: "Use a union of string literals instead of an enum.",
        },
      ],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ioModules.map((name) => ({ name, message: "src/core is pure: no I/O modules." })),
          patterns: [
            { group: ["@azure/*"], message: "src/core is pure: only adapters import @azure/*." },
            {
              group: ["**/adapters/**", "**/app/**", "**/functions/**", "**/cli/**"],
              message: "src/core depends on nothing outside src/core.",
            },
            {
              group: ["pino", "pino-*"],
              message: "src/core does not log; it returns what happened.",
            },
          ],
        },
      ],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "src/core takes configuration as arguments.",
        },
        { object: "Date", property: "now", message: "src/core takes the clock as an argument." },
      ],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "src/core takes configuration and time as arguments." },
        { name: "fetch", message: "src/core does no I/O." },
        { name: "setTimeout", message: "src/core does not wait." },
      ],
    },
  },
  {
    files: ["src/app/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@azure/*"],
              message: "src/app is written against its own interfaces; adapters import @azure/*.",
            },
            {
              group: ["**/functions/**", "**/cli/**"],
              message: "src/app does not depend on its doorways.",
            },
          ],
        },
      ],
    },
  },
);
