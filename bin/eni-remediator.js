#!/usr/bin/env node
/**
 * `eni-remediator` executable (package.json "bin"): registers tsx's CommonJS loader so the
 * TypeScript sources run as they are, then runs cli/main.ts.
 */

const path = require('node:path');
const { register } = require('tsx/cjs/api');

register();
const { main } = require(path.join(__dirname, '..', 'cli', 'main.ts'));

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`eni-remediator: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
