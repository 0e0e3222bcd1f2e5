/**
 * Lambda's Node.js major version: the runtime in TracedFunction, esbuild's target for the
 * Lambda bundles, and the local stack's bundle target (which imports only this file, so
 * nothing else of infra is bundled into the stack).
 */
export const NODE_MAJOR = 24;

/** esbuild's target for code that runs on Lambda's Node.js. */
export const NODE_TARGET = `node${NODE_MAJOR}`;
