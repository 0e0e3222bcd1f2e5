import type { LocalOutputs } from '@authwatch/local';
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AuthFlowType,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const SECURITY = { email: 'security@example.com', password: 'Security-Passw0rd!' };
export const DEMO = { email: 'demo@example.com', password: 'Demo-Passw0rd!' };

export function stackOutputs(): LocalOutputs & { dashboardUrl: string } {
  const raw = process.env.E2E_STACK;
  if (!raw) throw new Error('E2E_STACK is not set: run the browser tests with pnpm test:browser');
  return (JSON.parse(raw) as { outputs: LocalOutputs & { dashboardUrl: string } }).outputs;
}

/** A real SDK client on the local Cognito endpoint. */
export function cognitoClient(outputs: LocalOutputs): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: outputs.endpoint,
    region: outputs.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { requestTimeout: 10_000 },
  });
}

/** The access key of the admin calls the tests make (the local stack records it as CloudTrail does). */
export const ADMIN_ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

/**
 * An admin's change made with the SDK, signed with {@link ADMIN_ACCESS_KEY}: a new group
 * and the demo user added to it (CreateGroup, AdminAddUserToGroup). Gives the user's sub.
 */
export async function adminGrant(outputs: LocalOutputs, group: string): Promise<string> {
  const client = new CognitoIdentityProviderClient({
    endpoint: outputs.endpoint,
    region: outputs.region,
    credentials: {
      accessKeyId: ADMIN_ACCESS_KEY,
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
    requestHandler: { requestTimeout: 10_000 },
  });
  try {
    await client.send(new CreateGroupCommand({ UserPoolId: outputs.userPoolId, GroupName: group }));
    await client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: outputs.userPoolId,
        Username: DEMO.email,
        GroupName: group,
      }),
    );
    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: outputs.userPoolId, Username: DEMO.email }),
    );
    return user.UserAttributes?.find((a) => a.Name === 'sub')?.Value as string;
  } finally {
    client.destroy();
  }
}

/** A sign-in made outside the page (the demo user, password flow). */
export async function signInElsewhere(outputs: LocalOutputs): Promise<string> {
  const client = cognitoClient(outputs);
  try {
    await client.send(
      new InitiateAuthCommand({
        AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
        // The local stack's password client (the web client allows SRP and custom auth only).
        ClientId: outputs.passwordClientId,
        AuthParameters: { USERNAME: DEMO.email, PASSWORD: DEMO.password },
      }),
    );
    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: outputs.userPoolId, Username: DEMO.email }),
    );
    return user.Username as string;
  } finally {
    client.destroy();
  }
}

/** Wrong email codes for the demo user, each a failed sign-in attempt; gives the user name. */
export async function wrongCodes(outputs: LocalOutputs, count: number): Promise<string> {
  const client = cognitoClient(outputs);
  try {
    for (let i = 0; i < count; i += 1) {
      const started = await client.send(
        new InitiateAuthCommand({
          AuthFlow: AuthFlowType.CUSTOM_AUTH,
          ClientId: outputs.userPoolClientId,
          AuthParameters: { USERNAME: DEMO.email },
        }),
      );
      await client
        .send(
          new RespondToAuthChallengeCommand({
            ChallengeName: 'CUSTOM_CHALLENGE',
            ClientId: outputs.userPoolClientId,
            Session: started.Session,
            ChallengeResponses: { USERNAME: DEMO.email, ANSWER: '000000' },
          }),
        )
        .catch(() => undefined);
    }
    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: outputs.userPoolId, Username: DEMO.email }),
    );
    return user.Username as string;
  } finally {
    client.destroy();
  }
}

/** Collects console errors and page errors; `expectNone` asserts there were none. */
export function watchConsole(page: Page): { expectNone(): void } {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    expectNone() {
      expect(errors).toEqual([]);
    },
  };
}

export async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** axe-core over the page: no serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.length})`);
  expect(serious).toEqual([]);
}

/** The newest sign-in code mailed to `email` (the local SES emulator's mailbox). */
export async function mailedCode(
  outputs: LocalOutputs,
  email: string,
  after: number,
): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await fetch(`${outputs.sesEndpoint}/store`);
    const { emails = [] } = (await response.json()) as {
      emails?: {
        at: number;
        destination: { to: string[] };
        body: { text?: string; html?: string };
      }[];
    };
    // The newest mail to them with a code in it: an alert mail to the same address is no
    // code mail, and a code stands alone (the digits of a user's sub are no code).
    const code = emails
      .filter(
        (m) => m.at * 1_000 >= after - 1_000 && m.destination.to.some((to) => to.includes(email)),
      )
      .map((m) => /(?<![\w-])(\d{6,8})(?![\w-])/.exec(m.body.text ?? m.body.html ?? '')?.[1])
      .filter((found) => found !== undefined)
      .at(-1);
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no code mailed to ${email}`);
}
