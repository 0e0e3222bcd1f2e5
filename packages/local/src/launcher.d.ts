import type { Worker } from 'node:worker_threads';

export const MAIN_BUNDLE_DIR: string;
export const SES_BUNDLE_DIR: string;
export const DELIVERY_BUNDLE_DIR: string;
export const MAIN_BUNDLE_BUILDERS: string[];
export function currentMainBundle(): Promise<string | undefined>;
export function demoBundleOf(mainBundle: string): string;
export function preloadSes(): Promise<Worker | undefined>;
export function preloadDelivery(): Promise<Worker | undefined>;
export function startFailureText(error: unknown, args: string[]): string;
