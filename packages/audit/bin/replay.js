#!/usr/bin/env node
// Runs the TypeScript source through tsx (the packages ship source, no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/replay.ts');
const args = process.argv.slice(2);
try {
  process.exitCode = await main(args);
} catch (error) {
  // Expected problems are answered by main with a message; this is anything else.
  const verbose = args.includes('--verbose');
  process.stderr.write(
    `authwatch-replay failed: ${verbose ? error.stack : `${error.message}\n(run again with --verbose for the stack trace)`}\n`,
  );
  process.exitCode = 1;
}
