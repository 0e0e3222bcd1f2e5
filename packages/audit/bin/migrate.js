#!/usr/bin/env node
// Runs the TypeScript source through tsx (the packages ship source, no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/migrate.ts');
process.exitCode = await main(process.argv.slice(2));
