/**
 * `.local/outputs.json`: every endpoint, id and the issuer of a running local stack, as
 * `cdk deploy -O` writes a deployed stack's outputs. Tools and the demo read it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_STATE_DIR } from './paths.js';

export interface LocalOutputs {
  /** Cognito user-pool API endpoint (`endpoint` of the SDK client). */
  endpoint: string;
  region: string;
  userPoolId: string;
  /** The web (public) client, exactly as deployed (no USER_PASSWORD_AUTH). */
  userPoolClientId: string;
  /**
   * The local-only client for plain password sign-ins (USER_PASSWORD_AUTH and SRP):
   * scripts, load tests, the demo. Never deployed.
   */
  passwordClientId: string;
  /** The machine-to-machine client (client credentials). */
  machineClientId: string;
  machineClientSecret: string;
  /** `<endpoint>/<userPoolId>`, the tokens' `iss`. */
  issuer: string;
  jwksUri: string;
  /** The protected API's base URL. */
  apiUrl: string;
  /** aws-ses-v2-local (`GET <sesEndpoint>/store` lists sent mails). */
  sesEndpoint: string;
  /** Folder the Firehose fake delivers audit objects under (S3 layout). */
  auditDir: string;
  /** Firehose (`AWS_ENDPOINT_URL_FIREHOSE`; `POST /_authwatch/flush` writes its buffer). */
  firehoseEndpoint: string;
  /** The audit delivery stream's local name (`authwatch-replay --stream`). */
  auditStreamName: string;
  /** AppSync Events HTTP publish base (`POST <liveFeedHttpUrl>/event`). */
  liveFeedHttpUrl: string;
  /** AppSync Events WebSocket (`<liveFeedWsUrl>`, subprotocol aws-appsync-event-ws). */
  liveFeedWsUrl: string;
  /** The live feed's API id (`GetApi`; `authwatch-watch <api-id>`). */
  liveFeedApiId: string;
  /** The security page (packages/dashboard). */
  dashboardUrl?: string;
}

/** The ports of a stack's servers, from its outputs (the lock file records them). */
export function portsOf(
  outputs: LocalOutputs,
): Record<'cognito' | 'api' | 'ses' | 'liveFeed', number> {
  const port = (url: string) => Number(new URL(url).port);
  return {
    cognito: port(outputs.endpoint),
    api: port(outputs.apiUrl),
    ses: port(outputs.sesEndpoint),
    liveFeed: port(outputs.liveFeedHttpUrl),
  };
}

/** Where outputs.json of a state folder lives. */
export function outputsPath(stateDir: string = DEFAULT_STATE_DIR): string {
  return join(stateDir, 'outputs.json');
}

export async function writeOutputs(file: string, outputs: LocalOutputs): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Write-then-rename: a reader never sees half a file. Owner-only, as secrets.json: it
  // holds the machine client's secret.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(outputs, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** Reads a running stack's outputs; undefined when there is none. */
export async function readOutputs(file: string = outputsPath()): Promise<LocalOutputs | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalOutputs;
  } catch {
    return undefined;
  }
}
