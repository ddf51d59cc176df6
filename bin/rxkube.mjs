#!/usr/bin/env node
// The rxkube command line (see lib/derive/cli.node.ts): `rxkube crd <module>...`.
import { runCli } from '../dist/esm/derive/cli.node.js';

process.exitCode = await runCli(process.argv.slice(2));
