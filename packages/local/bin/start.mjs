#!/usr/bin/env node
// `pnpm start`: runs the cached bundle of the local stack in this process when it is
// current; otherwise src/cli.ts (through tsx) bundles it first and runs it.
// AUTHWATCH_LOCAL_NO_BUNDLE=1 runs the sources instead (src/cli.ts).
import { pathToFileURL } from 'node:url';
import {
  currentMainBundle,
  demoBundleOf,
  preloadDelivery,
  preloadSes,
  startFailureText,
} from '../src/launcher.js';

const bundle =
  process.env.AUTHWATCH_LOCAL_NO_BUNDLE === '1' ? undefined : await currentMainBundle();
if (bundle !== undefined) {
  // The SES emulator's package and the delivery thread load on the other core while the
  // stack's bundle does.
  const [sesWorker, deliveryWorker] = await Promise.all([preloadSes(), preloadDelivery()]);
  const { main } = await import(pathToFileURL(bundle).href);
  const extras = {
    sesWorker,
    deliveryWorker,
    demoModule: pathToFileURL(demoBundleOf(bundle)).href,
  };
  await main(performance.timeOrigin, process.argv.slice(2), extras).catch((error) => {
    process.stderr.write(startFailureText(error, process.argv.slice(2)));
    process.exit(1);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
