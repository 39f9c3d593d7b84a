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
    // Settings are read once, validated, in src/config; everything else takes them as arguments.
    files: ["src/**/*.ts"],
    ignores: ["src/config/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read settings through src/config (processEnv() and the validated loaders).",
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
  {
    // Adapters implement the ports src/app declares: they may name its types, never call into it.
    files: ["src/adapters/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/app/**"],
              allowTypeImports: true,
              message: "Adapters import only types from src/app.",
            },
            {
              group: ["**/functions/**", "**/cli/**", "**/runtime/**"],
              message: "Adapters do not depend on the doorways or the composition root.",
            },
          ],
        },
      ],
    },
  },
  {
    // The doorways use what src/runtime builds instead of assembling adapters themselves.
    files: ["src/functions/**/*.ts", "src/cli/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/adapters/**"],
              allowTypeImports: true,
              message: "Build adapters in src/runtime; doorways may only name their types.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/functions/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/cli/**"], message: "Functions do not depend on the CLI." }] },
      ],
    },
  },
  {
    files: ["src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/functions/**"], message: "The CLI does not depend on Functions." },
          ],
        },
      ],
    },
  },
);
