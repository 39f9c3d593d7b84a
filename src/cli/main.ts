#!/usr/bin/env node
import { main } from "./process.js";

await main(process.argv.slice(2));
