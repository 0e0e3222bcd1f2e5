#!/usr/bin/env node
// Runs the TypeScript source through tsx (the packages ship source, no build step).
import { register } from 'tsx/esm/api';

register();
const { startWatch } = await import('../src/cli/watch.ts');
const watch = startWatch(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
process.once('SIGINT', () => watch.stop());
process.once('SIGTERM', () => watch.stop());
process.exitCode = await watch.done;
process.exit();
