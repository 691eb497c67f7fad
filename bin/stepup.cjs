#!/usr/bin/env node
// The `stepup` command: runs the TypeScript CLI through tsx (a runtime dependency).
require('tsx/cjs');
const { runCli } = require('../client/cli/main.ts');

process.exitCode = runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
