/**
 * The SES emulator (aws-ses-v2-local), started in-process from its exported server
 * function, and helpers to read its mailbox (`GET /store`). The stack only ever calls
 * SendEmail / SendRawEmail on it: its SendTemplatedEmail never answers.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/**
 * The package is CommonJS with `exports.default`: Node's ESM import sees the exports
 * object, while transpiling loaders may hand over the function itself.
 */
const startSesServer: StartServer =
  typeof sesModule === 'function'
    ? (sesModule as unknown as StartServer)
    : (sesModule as unknown as { default: StartServer }).default;

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

export async function startSesEmulator(port = 0, host = '127.0.0.1'): Promise<SesEmulator> {
  const server: Server = await startSesServer({ host, port });
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
