// The operators' dashboard in a real browser (headless Chromium from Debian, driven by
// playwright-core) against the running stack: a form that opens an account, the live stream
// updating an account page, a refused command's problem, the chart; screenshots of the main pages
// land in test-artifacts/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { tokenFor } from './auth';
import { commandApi, get, post, queryApi } from './http';

const SHOTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const CHROMIUM = process.env.BANK_CHROMIUM ?? '/usr/bin/chromium';

/** The little of the page's DOM the test reads (the test itself is compiled without DOM types). */
type PageDocument = { querySelector(selector: string): { textContent: string | null } | null };

let browser: Browser;
let page: Page;
const cspViolations: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: npm test installs it (apt-get install chromium) or set BANK_CHROMIUM`);
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Nothing but the stack on loopback: no background traffic, which a closed network refuses slowly.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  // An exempt staff subject (the test stack's rate limit spares it), as teller and auditor.
  const token = await tokenFor('e2e-staff', ['teller', 'auditor']);
  await page.goto(`${queryApi()}/#token=${token}`);
  await page.getByTestId('who').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** An account opened through the API, with its first deposit, once the read model has it. */
async function openAccount(initialDeposit: string): Promise<string> {
  const accountId = `dash-${randomUUID().slice(0, 8)}`;
  const res = await post(`${commandApi()}/api/v1/accounts`, {
    accountId,
    ownerId: `owner-${accountId}`,
    ownerName: 'Dana Dashboard',
    type: 'CHECKING',
    currency: 'USD',
    initialDeposit,
  });
  expect(res.status).toBe(201);
  // A page shows the read model as it is when it opens: let it hold the account first.
  expect((await get(`${queryApi()}/api/v1/accounts/${accountId}?minVersion=${res.body.version}`)).status).toBe(200);
  return accountId;
}

async function showAccount(accountId: string): Promise<void> {
  await page.goto(`${queryApi()}/#/accounts/${accountId}`);
  await page.locator('[data-testid="live"][data-connected="true"]').waitFor({ timeout: 10_000 });
  await page.getByTestId('balance').waitFor();
}

describe('the dashboard', () => {
  it('signs in from the link, says who is signed in, and removes the token from the address', async () => {
    await expect(page.getByTestId('who').innerText()).resolves.toMatch(/e2e-staff[\s\S]*teller[\s\S]*auditor/);
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  it('opens an account from the form, and finds it in the list by its owner', async () => {
    const owner = `form-${randomUUID().slice(0, 8)}`;
    await page.goto(`${queryApi()}/#/`);
    const form = page.getByTestId('open-form');
    await form.getByLabel('Owner id').fill(owner);
    await form.getByLabel('Owner name').fill('Frida Form');
    await form.getByLabel('Currency').selectOption('EUR');
    await form.getByLabel('Initial deposit').fill('250.00');
    await form.getByRole('button', { name: 'Open account' }).click();
    await expect(page.getByTestId('opened').innerText()).resolves.toContain('Frida Form');

    // The list reads the read model, which has the account a moment after the command's answer:
    // search again until it shows.
    await page.locator('form.filters').getByLabel('Owner id').fill(owner);
    const rows = page.getByTestId('accounts').locator('tbody tr[data-account]');
    const found = rows.filter({ hasText: 'Frida Form' });
    // The unfiltered list stays on screen until the search answers (and may hold the new account
    // too): the search has answered when the list holds that one account and nothing else.
    const onlyIt = async () => (await rows.count()) === 1 && (await found.count()) === 1;
    for (let tries = 0; ; tries++) {
      await page.locator('form.filters').getByRole('button', { name: 'Search' }).click();
      let shown = false;
      for (const until = Date.now() + 1_000; !shown && Date.now() < until;) {
        shown = await onlyIt();
        if (!shown) await page.waitForTimeout(50);
      }
      if (shown) break;
      if (tries >= 10) throw new Error(`account of ${owner} not listed alone after ${tries} searches`);
    }
    await expect(found.first().innerText()).resolves.toMatch(/Frida Form[\s\S]*250\.00 EUR/);
    await page.screenshot({ path: path.join(SHOTS, 'overview.png') });
  });

  it('updates an open account page within a second of a deposit, through the stream, without a reload', async () => {
    const accountId = await openAccount('10.00');
    await showAccount(accountId);
    await expect(page.getByTestId('balance').innerText()).resolves.toContain('10.00');
    await page.evaluate('window.notReloaded = true');

    const res = await post(`${commandApi()}/api/v1/accounts/${accountId}/deposits`, { amount: '32.50' });
    expect(res.status).toBe(201);
    // Runs in the page (a function: the page's CSP forbids evaluating strings there).
    const shows = (args: { testId: string; text: string }) =>
      (globalThis as unknown as { document: PageDocument }).document
        .querySelector(`[data-testid="${args.testId}"]`)
        ?.textContent?.includes(args.text) ?? false;
    // The event itself, through the stream, within the second the issue asks for (it takes tens
    // of milliseconds); then the balance, which the page reads back from the read model.
    await page.waitForFunction(
      shows,
      { testId: 'last-event', text: `MoneyDeposited (v${res.body.version})` },
      {
        timeout: 1_000,
        polling: 20,
      },
    );
    await page.waitForFunction(shows, { testId: 'balance', text: '42.50' }, { timeout: 10_000, polling: 20 });
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    const deposits = page.getByTestId('history').locator('tbody tr[data-type="DEPOSIT"]');
    await deposits.nth(1).waitFor({ timeout: 10_000 }); // the history is read back too
    expect(await deposits.count()).toBe(2);
  });

  it("shows a refused withdrawal's problem title and code", async () => {
    const accountId = await openAccount('5.00');
    await showAccount(accountId);
    const form = page.getByTestId('withdraw-form');
    await form.getByLabel('Withdrawal amount').fill('1000.00');
    await form.getByRole('button', { name: 'Withdraw' }).click();
    const problem = form.getByRole('alert');
    await expect(problem.locator('.problem-title').innerText()).resolves.toBe('Insufficient funds');
    await expect(problem.getAttribute('data-code')).resolves.toBe('INSUFFICIENT_FUNDS');
    await expect(page.getByTestId('balance').innerText()).resolves.toContain('5.00');
  });

  it('freezes, unfreezes and closes an account from its page; closing with money left shows the refusal', async () => {
    const accountId = await openAccount('5.00');
    await showAccount(accountId);
    const form = page.getByTestId('status-form');
    const said = form.getByRole('status');
    await form.getByLabel('Freeze reason').fill('checking a complaint');
    await form.getByRole('button', { name: 'Freeze', exact: true }).click();
    await expect(said.innerText()).resolves.toContain('FROZEN');
    // The buttons follow the account's status: Unfreeze is enabled once the page knows it is frozen.
    await form.getByRole('button', { name: 'Unfreeze' }).click();
    await expect(said.innerText()).resolves.toContain('ACTIVE');

    await form.getByRole('button', { name: 'Close', exact: true }).click();
    const problem = form.getByRole('alert');
    await expect(problem.getAttribute('data-code')).resolves.toBe('ACCOUNT_BALANCE_NOT_ZERO');

    const withdraw = page.getByTestId('withdraw-form');
    await withdraw.getByLabel('Withdrawal amount').fill('5.00');
    await withdraw.getByRole('button', { name: 'Withdraw' }).click();
    await expect(withdraw.getByRole('status').innerText()).resolves.toContain('5.00');
    await form.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(said.innerText()).resolves.toContain('CLOSED');

    // What the page did is what the log holds, in this order, with the reason given.
    const events = await get(`${queryApi()}/api/v1/accounts/${accountId}/events`);
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'AccountFrozen',
      'AccountUnfrozen',
      'MoneyWithdrawn',
      'AccountClosed',
    ]);
    expect(events.body.items[2].data).toMatchObject({ reason: 'checking a complaint' });
  });

  it("filters an account's history by type and amount, and orders it", async () => {
    const accountId = await openAccount('0');
    for (const [path, amount] of [
      ['deposits', '1.00'],
      ['deposits', '2.00'],
      ['withdrawals', '0.50'],
    ]) {
      expect((await post(`${commandApi()}/api/v1/accounts/${accountId}/${path}`, { amount })).status).toBe(201);
    }
    expect((await get(`${queryApi()}/api/v1/accounts/${accountId}?minVersion=4`)).status).toBe(200);
    await showAccount(accountId);
    const filters = page.getByTestId('history-filters');
    const rows = page.getByTestId('history').locator('tbody tr[data-type]');
    /** The rows' types and amounts, once they are `expected` (a filter's answer replaces the table when it comes). */
    const rowsBecome = async (expected: string[]) => {
      const read = async () =>
        (await rows.allInnerTexts()).map((t) =>
          t
            .replace(/\s+/g, ' ')
            .match(/(DEPOSIT|WITHDRAWAL) (-?[\d.]+)/)
            ?.slice(1)
            .join(' '),
        );
      for (const until = Date.now() + 5_000; Date.now() < until; await page.waitForTimeout(50)) {
        if (JSON.stringify(await read()) === JSON.stringify(expected)) break;
      }
      expect(await read()).toEqual(expected);
    };
    await rowsBecome(['WITHDRAWAL -0.50', 'DEPOSIT 2.00', 'DEPOSIT 1.00']);

    await filters.getByLabel('Type').selectOption('WITHDRAWAL');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await rowsBecome(['WITHDRAWAL -0.50']);

    await filters.getByLabel('Type').selectOption('');
    await filters.getByLabel('Minimum amount').fill('1.50');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await rowsBecome(['DEPOSIT 2.00']);

    await filters.getByLabel('Minimum amount').fill('');
    await filters.getByLabel('Order').selectOption('asc');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await rowsBecome(['DEPOSIT 1.00', 'DEPOSIT 2.00', 'WITHDRAWAL -0.50']);
  });

  it('signs in with a pasted token, says when a paste is not a token, and signs out', async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    try {
      await fresh.goto(`${queryApi()}/`);
      const form = fresh.locator('section.signin form');
      await form.locator('textarea').fill('not-a-token');
      await form.getByRole('button', { name: 'Sign in' }).click();
      await expect(fresh.locator('section.signin [role="alert"]').innerText()).resolves.toContain(
        'That is not a token',
      );
      await form.locator('textarea').fill(await tokenFor('e2e-staff', ['auditor']));
      await form.getByRole('button', { name: 'Sign in' }).click();
      await expect(fresh.getByTestId('who').innerText()).resolves.toMatch(/e2e-staff[\s\S]*auditor/);
      await fresh.getByRole('button', { name: 'Sign out' }).click();
      await fresh.locator('section.signin').waitFor();
      expect(await fresh.evaluate('sessionStorage.length')).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('draws the daily-balance chart as an SVG line through its points', async () => {
    const accountId = await openAccount('120.00');
    const withdrawn = await post(`${commandApi()}/api/v1/accounts/${accountId}/withdrawals`, { amount: '20.00' });
    // The page reads the read model as it is when it opens: let it catch up with the withdrawal first.
    const read = await get(`${queryApi()}/api/v1/accounts/${accountId}?minVersion=${withdrawn.body.version}`);
    expect(read.body.balance).toBe('100.00');
    await showAccount(accountId);
    await expect(page.getByTestId('balance').innerText()).resolves.toContain('100.00');
    const line = page.getByTestId('chart').locator('path.line');
    await line.waitFor();
    const d = (await line.getAttribute('d')) ?? '';
    expect(d).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    expect(Number(await line.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('chart').locator('circle').count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Verify audit trail' }).click();
    await page.locator('[data-testid="verification"][data-verified="true"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'account.png'), fullPage: true });
  });

  it('sends a transfer from the form and follows it until it completes, then lists it for the account', async () => {
    const from = await openAccount('80.00');
    const to = await openAccount('0');
    await page.goto(`${queryApi()}/#/transfers?account=${from}`);
    const form = page.getByTestId('transfer-form');
    await form.getByLabel('To account').fill(to);
    await form.getByLabel('Transfer amount').fill('30.00');
    await form.getByRole('button', { name: 'Transfer' }).click();
    const result = page.getByTestId('transfer-result');
    await result.locator('.badge-completed').waitFor({ timeout: 15_000 });
    await expect(result.innerText()).resolves.toMatch(/30\.00 USD from[\s\S]*to/);
    await page.reload();
    await page.getByTestId('transfers').locator('tbody .badge-completed').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, 'transfers.png') });
  });

  it("shows each app's readiness and the projection lag", async () => {
    await page.goto(`${queryApi()}/#/health`);
    await page.getByTestId('apps').locator('tbody tr[data-ready]').first().waitFor();
    expect(await page.getByTestId('apps').locator('tbody tr[data-ready="true"]').count()).toBeGreaterThanOrEqual(5);
    await page.screenshot({ path: path.join(SHOTS, 'health.png') });
    await page.goto(`${queryApi()}/#/ledger`);
    await page.getByTestId('trial-balance').locator('tbody tr').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'ledger.png') });
  });

  it('ran under its Content-Security-Policy without a violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
