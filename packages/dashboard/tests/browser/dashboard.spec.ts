import { expect, test } from '@playwright/test';
import {
  ADMIN_ACCESS_KEY,
  adminGrant,
  DEMO,
  expectAccessible,
  mailedCode,
  SECURITY,
  signIn,
  signInElsewhere,
  stackOutputs,
  watchConsole,
  wrongCodes,
} from './helpers.js';

const outputs = stackOutputs();
const activity = (page: import('@playwright/test').Page) =>
  page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Reason' }) });

test.describe('the security page', () => {
  test('a member of the security group signs in and sees counters, the chart and history, accessibly', async ({
    page,
  }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

    await signIn(page, SECURITY);

    await expect(page.getByText('Signed in as security@example.com')).toBeVisible();
    const signIns = page.locator('.counter', { hasText: 'Sign-ins' }).locator('dd');
    await expect(signIns).not.toHaveText('0');
    await expect(page.locator('.counter', { hasText: 'Failures' }).locator('dd')).not.toHaveText(
      '0',
    );
    await expect(page.locator('#chart canvas')).toBeVisible();
    await expect(page.getByText(/successful and [\d,]+ failed sign-ins/)).toBeAttached();
    await expect(activity(page).getByRole('row')).not.toHaveCount(1);
    await expect(page.getByRole('heading', { name: 'Top failure reasons' })).toBeVisible();
    await expect(page.getByRole('button', { name: '203.0.113.250' })).toBeVisible();
    await expect(
      page
        .getByRole('region', { name: 'Findings' })
        .getByRole('button', { name: 'Show events' })
        .first(),
    ).toBeVisible();
    await expect(page.getByText('Live feed: connected')).toBeVisible();
    await expectAccessible(page);
    // The README's screenshot is refreshed on request only, so a test run leaves the tree clean.
    await page.screenshot({
      path: process.env.UPDATE_SCREENSHOT
        ? 'docs/screenshot.png'
        : test.info().outputPath('page.png'),
      fullPage: true,
    });
    console.expectNone();
  });

  test('a member signs in with a code mailed to them, and the page reads well in dark mode', async ({
    page,
  }) => {
    const console = watchConsole(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(outputs.dashboardUrl);
    const asked = Date.now();

    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(SECURITY.email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page.getByText('A sign-in code was sent')).toBeVisible();
    await page.getByLabel('Sign-in code').fill(await mailedCode(outputs, SECURITY.email, asked));
    await page.getByRole('button', { name: 'Verify code' }).click();

    await expect(page.getByText('Signed in as security@example.com')).toBeVisible();
    await expect(page.locator('#chart canvas')).toBeVisible();
    await expectAccessible(page);
    console.expectNone();
  });

  test('a user outside the security group is refused with a clear message', async ({ page }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);

    await signIn(page, DEMO);

    await expect(page.getByRole('alert')).toContainText(
      'Access refused: this page is for the security team, and demo@example.com is not a member of the group "security"',
    );
    await expect(page.getByRole('heading', { name: 'Sign-in activity' })).toBeHidden();
    await expectAccessible(page);
    console.expectNone();
  });

  test('a sign-in made while the page is open appears in the live table within seconds', async ({
    page,
  }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);
    await signIn(page, SECURITY);
    await expect(page.getByText('Live feed: connected')).toBeVisible();

    const username = await signInElsewhere(outputs);

    const row = activity(page)
      .getByRole('row')
      .filter({ hasText: username })
      .filter({ hasText: 'PostAuthentication_Authentication' });
    await expect(row.first()).toBeVisible({ timeout: 5_000 });
    await expect(row.first()).toContainText('Success');
    console.expectNone();
  });

  test('a burst of wrong codes shows as live failures, then the finding the detections raise', async ({
    page,
  }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);
    await signIn(page, SECURITY);
    await expect(page.getByText('Live feed: connected')).toBeVisible();

    // Five wrong codes for one user within 10 minutes: the default rule otp-brute-force-user.
    const username = await wrongCodes(outputs, 5);

    const failures = activity(page)
      .getByRole('row')
      .filter({ hasText: 'VerifyAuthChallengeResponse_Authentication' })
      .filter({ hasText: username });
    await expect(failures).toHaveCount(5, { timeout: 5_000 });
    await expect(failures.first()).toContainText('Failure');
    // The local stack runs the detect handler every few seconds; its finding comes over
    // /auth/detections and is in the history.
    const findingRow = page.getByRole('row').filter({ hasText: 'OTP brute force on one user' });
    await expect(findingRow.first()).toBeVisible({ timeout: 45_000 });
    await expect(findingRow.first()).toContainText('High');
    await expect(findingRow.first()).toContainText('peak_event_count: 5');
    await findingRow.first().getByRole('button', { name: 'Show events' }).click();
    await expect(page).toHaveURL(/range=custom/);
    await expect(failures.first()).toBeVisible();
    console.expectNone();
  });

  test('filters narrow the table and survive a reload', async ({ page }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);
    await signIn(page, SECURITY);
    await expect(activity(page).getByRole('cell', { name: 'Success' }).first()).toBeVisible();

    await page.getByLabel('Outcome').selectOption('failure');
    await page.getByRole('searchbox', { name: 'IP address' }).fill('203.0.113.250');
    await page.getByRole('button', { name: 'Apply filters' }).click();

    const outcomes = activity(page).locator('tbody td:nth-child(2)');
    await expect(activity(page).getByRole('cell', { name: 'Success' })).toHaveCount(0);
    await expect(outcomes.first()).toHaveText('Failure');
    await expect(activity(page).locator('tbody td:nth-child(5)').first()).toHaveText(
      '203.0.113.250 (RU)',
    );
    await expect(page).toHaveURL(/outcome=failure/);
    await expect(page).toHaveURL(/ip=203.0.113.250/);

    await page.reload();
    await signIn(page, SECURITY);

    await expect(page.getByLabel('Outcome')).toHaveValue('failure');
    await expect(page.getByRole('searchbox', { name: 'IP address' })).toHaveValue('203.0.113.250');
    await expect(outcomes.first()).toHaveText('Failure');
    await expect(activity(page).getByRole('cell', { name: 'Success' })).toHaveCount(0);
    console.expectNone();
  });

  test('the activity table scrolls through all its rows while drawing only those in view', async ({
    page,
  }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);
    await signIn(page, SECURITY);
    // The history's first page (50 events) and any live ones.
    const countLine = page.getByText(/^([5-9]\d|\d{3,}) events shown$/);
    await expect(countLine).toBeVisible();
    const shown = Number.parseInt((await countLine.textContent()) ?? '0', 10);
    const table = page.getByRole('region', { name: 'Sign-in activity' }).getByRole('table');
    const lastRow = table.locator(`tbody tr[aria-rowindex="${shown + 1}"]`);
    await expect(lastRow).toHaveCount(0);

    await table.locator('xpath=..').evaluate((box) => {
      box.scrollTop = box.scrollHeight;
    });

    await expect(lastRow).toBeVisible();
    await expect(lastRow.getByRole('cell').nth(1)).toHaveText(/Success|Failure|—/);
    await expect(page.getByRole('button', { name: 'Load older events' })).toBeVisible();
    console.expectNone();
  });

  test('a row opens its whole OCSF event from the keyboard', async ({ page }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);
    await signIn(page, SECURITY);
    // A row of an event (not the "Loading…" line the table shows before its data).
    const firstRow = activity(page)
      .getByRole('row')
      .filter({ hasText: /_(Authentication|SignUp)/ })
      .first();
    await expect(firstRow).toBeVisible();

    await firstRow.focus();
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('The whole event as JSON')).toContainText('"class_uid"');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    console.expectNone();
  });

  test('an admin change made with the SDK shows in the admin changes list with its actor, filters by actor and opens its whole event', async ({
    page,
  }) => {
    const console = watchConsole(page);
    await page.goto(outputs.dashboardUrl);
    await signIn(page, SECURITY);
    await expect(page.getByText('Live feed: connected')).toBeVisible();

    const sub = await adminGrant(outputs, 'e2e-auditors');
    // The changes made with this test's access key: the local detect handler's responses
    // (admin calls too) would otherwise push them down the list.
    await page.getByRole('searchbox', { name: 'Admin actor' }).fill(ADMIN_ACCESS_KEY);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(new RegExp(`actor=${ADMIN_ACCESS_KEY}`));

    const changes = page.getByRole('region', { name: 'Admin changes' });
    const grant = changes
      .getByRole('row')
      .filter({ hasText: 'AdminAddUserToGroup' })
      .filter({ hasText: 'e2e-auditors' });
    // CloudTrail's record goes through the local trail delivery and the CloudTrail handler.
    await expect(grant).toHaveCount(1, { timeout: 30_000 });
    await expect(grant).toContainText(ADMIN_ACCESS_KEY);
    await expect(grant).toContainText(`user ${sub}`);
    const actor = grant.getByRole('button', { name: /^local: show only the changes of/ });
    await expect(actor).toHaveAttribute('title', /^arn:aws:iam::\d{12}:user\/local /);
    await expect(
      changes
        .getByRole('row')
        .filter({ hasText: 'CreateGroup' })
        .filter({ hasText: 'e2e-auditors' }),
    ).toHaveCount(1, { timeout: 30_000 });
    await expectAccessible(page);

    // The filter survives a reload.
    await page.reload();
    await signIn(page, SECURITY);
    await expect(page.getByRole('searchbox', { name: 'Admin actor' })).toHaveValue(
      ADMIN_ACCESS_KEY,
    );
    await expect(grant).toHaveCount(1);

    await grant.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('The whole event as JSON')).toContainText(
      '"operation": "AdminAddUserToGroup"',
    );
    await expect(dialog.getByLabel('The whole event as JSON')).toContainText(
      `"credential_uid": "${ADMIN_ACCESS_KEY}"`,
    );
    await page.keyboard.press('Escape');

    // An actor's name shows only that principal's changes (its whole ARN in the URL).
    await actor.click();
    await expect(page.getByRole('searchbox', { name: 'Admin actor' })).toHaveValue(
      /^arn:aws:iam::\d{12}:user\/local$/,
    );
    await expect(page).toHaveURL(/actor=arn%3Aaws%3Aiam%3A%3A\d{12}%3Auser%2Flocal/);
    console.expectNone();
  });
});
