#!/usr/bin/env node
import { processEnv } from "../config/env.js";
import { runCli } from "./program.js";

const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());

const code = await runCli(process.argv.slice(2), {
  env: processEnv(),
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
});
process.exitCode = code;
