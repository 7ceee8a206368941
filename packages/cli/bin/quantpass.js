#!/usr/bin/env node
// Entry point of the `quantpass` command: registers tsx so the TypeScript sources run
// directly (every workspace package is consumed as source), then starts the CLI.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
