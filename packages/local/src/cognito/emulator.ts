/**
 * The Cognito user-pool emulator's facade: one object for the stack and the tests, over
 * the modules that implement each area of Cognito's API (see README.md for the map and
 * `operations.ts` for the operation table). It holds the shared context and delegates;
 * the HTTP face (awsJson1_1, JWKS, OAuth2) is in `http.ts`.
 *
 * Trigger order follows the Amazon Cognito Developer Guide, "Customizing user pool
 * workflows with Lambda triggers" (user-pool-working-with-lambda-triggers) and
 * "Authentication flows" (amazon-cognito-user-pools-authentication-flow):
 * - sign-up (`sign-up.ts`): PreSignUp_SignUp → (user created) → PostConfirmation_ConfirmSignUp
 *   when the pre sign-up response auto-confirms, else at ConfirmSignUp / AdminConfirmSignUp;
 *   AdminCreateUser: PreSignUp_AdminCreateUser (its auto* flags are ignored) and no
 *   PostConfirmation; federated (`federation.ts`): PreSignUp_ExternalProvider on the first
 *   sign-in;
 * - sign-in (`auth-*.ts`): PreAuthentication at the start of every flow (before the
 *   password is checked), then for CUSTOM_AUTH: DefineAuthChallenge → CreateAuthChallenge →
 *   (the client answers) VerifyAuthChallengeResponse → DefineAuthChallenge → ..., then
 *   PostAuthentication_Authentication, then PreTokenGeneration
 *   (TokenGeneration_Authentication / _NewPasswordChallenge / _RefreshTokens /
 *   _HostedAuth / _ClientCredentials), then the tokens (`token-issue.ts`). A failing
 *   PostAuthentication fails the sign-in, as it does on Cognito.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientCredentials } from './client-credentials.js';
import {
  type CallContext,
  type CognitoEmulatorOptions,
  createEmulatorContext,
  DEFAULT_CONTEXT,
  type EmulatorContext,
} from './context.js';
import { federatedSignIn } from './federation.js';
import { createGroup, ensureGroup, type GroupSpec } from './groups.js';
import { createListener } from './http.js';
import { uploadImportFile } from './import-jobs.js';
import type { Json } from './input.js';
import { findUser, poolIssuer, requirePool } from './lookup.js';
import { callOperation } from './operations.js';
import {
  createUserPool,
  createUserPoolClient,
  ensureUserPool,
  ensureUserPoolClient,
  listUserPools,
  setTriggers,
  type UserPoolClientSpec,
  type UserPoolSpec,
} from './pools.js';
import { createResourceServer } from './resource-servers.js';
import type { PoolRecord, TriggerName, TriggerVersion, UserRecord } from './state.js';
import { seedUser } from './users.js';
import { jwks, openIdConfiguration } from './well-known.js';

export { MAX_CHALLENGE_ROUNDS } from './auth-custom.js';
export type { CallContext, CognitoEmulatorOptions, Mailer } from './context.js';
export type { GroupSpec } from './groups.js';
export type { UserPoolClientSpec, UserPoolSpec } from './pools.js';

export class CognitoEmulator {
  readonly region: string;
  readonly baseUrl: string;
  /** The shared state every operation module is given. */
  private readonly ctx: EmulatorContext;
  /** node:http request listener: awsJson1_1 API, JWKS, openid-configuration, /oauth2/token. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;

  constructor(options: CognitoEmulatorOptions) {
    this.ctx = createEmulatorContext(options);
    this.region = this.ctx.region;
    this.baseUrl = this.ctx.baseUrl;
    this.listener = createListener(this);
  }

  now(): number {
    return this.ctx.now();
  }

  issuer(poolId: string): string {
    return poolIssuer(this.ctx, poolId);
  }

  /** Writes the state file and the token log now (atomically); resolves when written. */
  save(): Promise<void> {
    return this.ctx.save();
  }

  /** A PUT to a user import job's pre-signed URL (the HTTP face routes it here). */
  uploadImport(poolId: string, jobId: string, signature: string, body: Buffer) {
    return uploadImportFile(this.ctx, poolId, jobId, signature, body);
  }

  /** Runs one API operation (input and output as on the wire); throws CognitoError. */
  call(operation: string, input: Json, caller: CallContext = DEFAULT_CONTEXT): Promise<Json> {
    return callOperation(this.ctx, operation, input, caller);
  }

  // ---------------------------------------------------------------- programmatic setup

  createUserPool(spec: UserPoolSpec): { id: string; arn: string } {
    return createUserPool(this.ctx, spec);
  }

  /** The pool with this name, or a new one; an existing pool keeps its id, users and keys. */
  ensureUserPool(spec: UserPoolSpec): { id: string; arn: string; created: boolean } {
    return ensureUserPool(this.ctx, spec);
  }

  createUserPoolClient(
    poolId: string,
    spec: UserPoolClientSpec,
    keep?: { clientId: string; clientSecret?: string; created: number },
  ): { clientId: string; clientSecret?: string } {
    return createUserPoolClient(this.ctx, poolId, spec, keep);
  }

  /** The client with this name in the pool, or a new one (its id and secret are kept). */
  ensureUserPoolClient(
    poolId: string,
    spec: UserPoolClientSpec,
  ): { clientId: string; clientSecret?: string } {
    return ensureUserPoolClient(this.ctx, poolId, spec);
  }

  createGroup(poolId: string, spec: GroupSpec): void {
    createGroup(this.ctx, poolId, spec);
  }

  ensureGroup(poolId: string, spec: GroupSpec): void {
    ensureGroup(this.ctx, poolId, spec);
  }

  createResourceServer(
    poolId: string,
    spec: {
      identifier: string;
      name?: string;
      /** Scope names (`read`), or `{ name, description }`. */
      scopes: (string | { name: string; description?: string })[];
    },
  ): void {
    createResourceServer(this.ctx, poolId, spec);
  }

  /** Which triggers the pool has, with the event version (PreTokenGeneration: V1_0/V2_0/V3_0). */
  setTriggers(
    poolId: string,
    triggers: Partial<Record<TriggerName, TriggerVersion | undefined>>,
  ): void {
    setTriggers(this.ctx, poolId, triggers);
  }

  /** Creates a confirmed user with a permanent password (seeding, tests). */
  seedUser(
    poolId: string,
    username: string,
    password: string,
    attributes: Record<string, string> = {},
  ): Promise<{ username: string; sub: string }> {
    return seedUser(this.ctx, poolId, username, password, attributes);
  }

  listUserPools(): { id: string; name: string }[] {
    return listUserPools(this.ctx);
  }

  /** The public JWKS of a pool. */
  jwks(poolId: string): { keys: Record<string, string>[] } {
    return jwks(this.ctx, poolId);
  }

  openIdConfiguration(poolId: string): Json {
    return openIdConfiguration(this.ctx, poolId);
  }

  // ---------------------------------------------------------------- lookups

  pool(poolId: unknown): PoolRecord {
    return requirePool(this.ctx, poolId);
  }

  /** By username, then by email/phone when they are username attributes, then by verified alias. */
  findUser(pool: PoolRecord, name: string): UserRecord | undefined {
    return findUser(pool, name);
  }

  // ---------------------------------------------------------------- sign-ins outside the API

  /** A federated sign-in through the hosted UI, without the IdP round trip (`federation.ts`). */
  federatedSignIn(
    poolId: string,
    clientId: string,
    provider: string,
    subject: string,
    attributes: Record<string, string> = {},
    caller: CallContext = DEFAULT_CONTEXT,
  ): Promise<{ username: string; linked: boolean; created: boolean; tokens: Json }> {
    return federatedSignIn(this.ctx, poolId, clientId, provider, subject, attributes, caller);
  }

  /** OAuth2 client_credentials for a confidential client (M2M), with the V3_0 event. */
  clientCredentials(
    clientId: string,
    clientSecret: string,
    scopeParam: string | undefined,
    caller: CallContext = DEFAULT_CONTEXT,
    viaBasic = false,
  ): Promise<{ access_token: string; expires_in: number; token_type: 'Bearer' }> {
    return clientCredentials(this.ctx, clientId, clientSecret, scopeParam, caller, viaBasic);
  }
}
