/**
 * The SES emulator (aws-ses-v2-local), started in-process from its exported server
 * function, and helpers to read its mailbox (`GET /store`). The stack only ever calls
 * SendEmail / SendRawEmail on it: its SendTemplatedEmail never answers.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_BUNDLE_DIR } from './paths.js';
import { bundleEntries, type FileRewrite } from './triggers/bundle.js';

export interface SesEmulator {
  readonly url: string;
  stop(): Promise<void>;
}

/** One mail as the emulator stores it. */
export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  /** Epoch seconds. */
  at: number;
}

const SES_ENTRY = createRequire(import.meta.url).resolve('aws-ses-v2-local');

/**
 * mailparser (raw mail: SendRawEmail, v2 SendEmail with raw content) and nodemailer's
 * .eml export are loaded on first use instead of at start: mailparser and its charset
 * tables were the largest part of the package's load, and the stack only ever sends
 * plain SendEmail. In the bundle a module runs only when first required, so moving the
 * `require` into a getter is all it takes. Lines a release no longer has are left alone
 * (tests/ses checks this one still has them).
 */
export const LAZY_MAIL_PARSING: FileRewrite = {
  id: 'ses-lazy-mail-parsing-2',
  file: /aws-ses-v2-local\/dist\/.*\.js$/,
  rewrite: (text) =>
    text
      .replace(
        'const mailparser_1 = require("mailparser");',
        'const mailparser_1 = { get simpleParser() { return require("mailparser").simpleParser; } };',
      )
      .replace(
        'const emlFile_1 = require("./emlFile");',
        'const emlFile_1 = { get createEmlContent() { return require("./emlFile").createEmlContent; } };',
      ),
};

/**
 * The package bundled into one file (cached with the handler bundles): loading Express,
 * nodemailer and mailparser module by module was the slowest part of the stack's
 * start, about half a second. Falls back to the installed package if bundling fails.
 */
async function sesModule(): Promise<string> {
  try {
    const bundle = await bundleEntries({ ses: SES_ENTRY }, join(DEFAULT_BUNDLE_DIR, 'ses'), {
      keepDirname: true,
      rewrites: [LAZY_MAIL_PARSING],
    });
    return pathToFileURL(bundle.files.ses as string).href;
  } catch {
    return pathToFileURL(SES_ENTRY).href;
  }
}

/** The emulator thread's body (plain JavaScript: the launcher starts it too). */
const SES_THREAD = new URL('./ses-thread.js', import.meta.url);

/**
 * Starts aws-ses-v2-local in a worker thread of this process (its exported server
 * function, not its CLI) and resolves with its URL once it listens. `preloaded`: a
 * thread the launcher started on ses-thread.js, already loading the package.
 */
export async function startSesEmulator(
  port = 0,
  host = '127.0.0.1',
  preloaded?: Worker,
): Promise<SesEmulator> {
  const worker =
    preloaded ??
    new Worker(SES_THREAD, { workerData: { module: await sesModule(), listen: { host, port } } });
  if (preloaded) {
    preloaded.ref();
    preloaded.postMessage({ host, port });
  }
  return new Promise<SesEmulator>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`SES emulator exited with code ${code}`)));
    worker.once(
      'message',
      ({ port: listening, loadError }: { port: number; loadError?: string }) => {
        if (loadError !== undefined) {
          // The early thread could not load its bundle: start one from the package.
          worker.removeAllListeners('exit');
          worker.removeAllListeners('error');
          void worker.terminate();
          if (preloaded) startSesEmulator(port, host).then(resolve, reject);
          else reject(new Error(`SES emulator could not load: ${loadError}`));
          return;
        }
        worker.removeAllListeners('error');
        worker.on('error', () => undefined);
        resolve({
          url: `http://${host}:${listening}`,
          stop: async () => {
            await worker.terminate();
          },
        });
      },
    );
  });
}

/** Every mail in the emulator's mailbox (oldest first). */
export async function readMailbox(sesUrl: string): Promise<StoredMail[]> {
  const response = await fetch(`${sesUrl}/store`);
  if (!response.ok) throw new Error(`SES emulator answered ${response.status} on /store`);
  const body = (await response.json()) as { emails?: StoredMail[] };
  return body.emails ?? [];
}

/** The newest mail sent to `address`, if any. */
export async function latestMailTo(
  sesUrl: string,
  address: string,
): Promise<StoredMail | undefined> {
  const mails = await readMailbox(sesUrl);
  const wanted = address.toLowerCase();
  return mails
    .filter((mail) => mail.destination.to.some((to) => to.toLowerCase().includes(wanted)))
    .at(-1);
}

/**
 * Waits for a new mail to `address` (one not in `seen`) and returns it; the create
 * trigger sends before it answers, so this normally returns at once.
 */
export async function waitForMail(
  sesUrl: string,
  address: string,
  seen: ReadonlySet<string> = new Set(),
  timeoutMs = 3_000,
): Promise<StoredMail> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mail = await latestMailTo(sesUrl, address);
    if (mail && !seen.has(mail.messageId)) return mail;
    if (Date.now() > until) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The first run of 6 to 8 digits in a mail's text (the OTP of a sign-in mail). */
export function codeInMail(mail: StoredMail): string | undefined {
  return /\b(\d{6,8})\b/.exec(mail.body.text ?? mail.body.html ?? '')?.[1];
}
