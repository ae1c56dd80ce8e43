// Browser test of mod_iam's access requests, run by ./run with `node --test`
// after console.test.mjs (it continues that file's screenshot numbering). It
// walks the whole loop of "Request access" in Debian's chromium driven by
// playwright-core, with one browser context per person:
//   max, refused the warehouse, gets mod_iam's own 403 page, asks for access
//   with a message and is told the request is pending; the owners are mailed
//   (IAMMailCommand appends to $IAM_MAILBOX); olivia sees the request on the
//   console's overview and on max's page; she adds max a role, the request
//   goes away, and max's next request to the warehouse passes.
//   rita asks the same; olivia presses the button that names the grant
//   ("Grant Warehouse Read-only on all warehouse resources"); rita can read
//   the warehouse and no more (Warehouse Read-only).
//   sam asks for two pages, the source web and the warehouse; olivia
//   approves one and dismisses the other; both pages that refuse sam say
//   what became of each request, he is mailed both answers, and web opens.
// Each step saves full-page screenshots to $IAM_OUT at 1280 and 390 pixels
// wide, and checks that neither scrolls sideways.
//
// Environment (set by ./run): IAM_URL (http://127.0.0.1:PORT), IAM_OUT
// (screenshot folder), IAM_MAILBOX (the file the owners' mail is appended
// to), IAM_CTL and IAM_STORE (iamctl and the server's store: used once, to
// put max back to no warehouse access whatever console.test.mjs left).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { accessChecks } from './access.mjs';
import { LAUNCH, basicContext, grantCells, mainText, navigate, requestRows, shot as saveShot, shotWidths, stepper } from '../e2e.mjs';

const BASE = process.env.IAM_URL;
const OUT = process.env.IAM_OUT || new URL('./out', import.meta.url).pathname;
const MAILBOX = process.env.IAM_MAILBOX;
const CTL = process.env.IAM_CTL;
const STORE = process.env.IAM_STORE;
if (!BASE || !/^http:\/\/127\.0\.0\.1:\d+$/.test(BASE))
    throw new Error('IAM_URL must be http://127.0.0.1:PORT (start this test with ./run)');
const { expectAccess } = accessChecks(BASE);
if (!MAILBOX || !CTL || !STORE)
    throw new Error('IAM_MAILBOX, IAM_CTL and IAM_STORE must be set (start this test with ./run)');

const WAREHOUSE = '/warehouses/main/';
const WEB = '/sources/web/';
const IOS = '/sources/ios/';
// How the refused page names each place.
const NAMES = { [WAREHOUSE]: 'the warehouse main', [WEB]: 'the source web', [IOS]: 'the source ios' };
const MAX_MESSAGE = 'Need the warehouse for the Q3 report';
const RITA_MESSAGE = 'Need the warehouse numbers for the monthly review';
const SAM_WEB_MESSAGE = 'Reviewing the web release';
const SAM_WAREHOUSE_MESSAGE = 'Curious about the warehouse';

let browser;
const people = {}; // login -> { context, page }
let current; // the page the running step works on (for a failure's screenshot)
const serverErrors = []; // 5xx answers
const offsite = []; // any request that was not for 127.0.0.1

// ---- the owners' mail ----

// Every message conf/demo/mailbox appended (each ends with a line ".").
function mailbox() {
    return readFileSync(MAILBOX, 'utf8')
        .split(/^\.\n/m)
        .filter((m) => m.trim() !== '')
        .map((m) => {
            const split = m.indexOf('\n\n');
            const headers = {};
            for (const line of m.slice(0, split).split('\n')) {
                const colon = line.indexOf(':');
                headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
            }
            return { headers, body: m.slice(split + 2), raw: m };
        });
}

// The owners' mail of access requests (the invitation mailed by
// console.test.mjs and the members' answers are left out).
function mails() {
    return mailbox().filter((m) => (m.headers.subject || '').startsWith('Access request'));
}

// What a member was mailed about their own requests.
function answers(to) {
    return mailbox().filter((m) => m.headers.to === to && /^Your access request/.test(m.headers.subject || ''));
}

// ---- browser helpers ----

async function person(login) {
    const context = await basicContext(browser, BASE, login, offsite);
    const page = await context.newPage();
    page.on('response', (res) => {
        if (res.status() >= 500) serverErrors.push(`${login}: ${res.status()} ${res.request().method()} ${res.url()}`);
    });
    people[login] = { context, page };
    return page;
}

function pageOf(login) {
    current = people[login].page;
    return current;
}

// Loads `path`; returns the response (redirects followed).
async function open(page, path, want) {
    const res = await page.goto(BASE + path, { waitUntil: 'load' });
    assert.equal(res.status(), want, `GET ${path}: ${res.status()}: ${await mainText(page)}`);
    return res;
}

async function assertHeading(page, text) {
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), text);
}

// The confirmation notice a console change leaves on the page it redirects to.
async function assertNotice(page, text) {
    const notice = page.getByRole('status');
    assert.equal(await notice.count(), 1, `no confirmation notice on ${page.url()}`);
    assert.equal((await notice.textContent()).trim(), text);
    assert.equal(await page.getByRole('alert').count(), 0, 'an error notice is shown');
}

// mod_iam's page for a refused member, with the form to ask for access
// (`path`: the page refused, the warehouse unless said).
async function assertDeniedWithForm(page, login, path = WAREHOUSE) {
    await assertHeading(page, 'You need access');
    const text = await mainText(page);
    assert.match(text, new RegExp(`signed in as ${login}\\b`));
    assert.ok(text.includes(`do not have read access to ${NAMES[path]}.`), `not the page of ${path}: ${text}`);
    const form = page.locator('form').filter({ has: page.locator('textarea[name="message"]') });
    assert.equal(await form.count(), 1, 'no request form');
    assert.equal(await form.getAttribute('method'), 'post');
    assert.equal(await form.getAttribute('action'), '/iam/request-access');
    assert.ok(await form.getByRole('button', { name: 'Request access', exact: true }).isVisible());
    assert.equal(await page.getByRole('status').count(), 0, 'a status note is shown before asking');
    return form;
}

// Types the message, presses "Request access": mod_iam stores the request
// and sends the member back (303) to the page, still refused, now pending.
async function requestAccess(page, login, message, path = WAREHOUSE) {
    const form = await assertDeniedWithForm(page, login, path);
    await form.getByRole('textbox', { name: /Ask the workspace owners for access/ }).fill(message);
    const res = await navigate(page, () => form.getByRole('button', { name: 'Request access' }).click(), 403);
    const post = res.request().redirectedFrom();
    assert.ok(post, 'the request form did not redirect');
    assert.equal(post.method(), 'POST');
    assert.equal(new URL(post.url()).pathname, '/iam/request-access');
    assert.equal((await post.response()).status(), 303);
    assert.equal(new URL(page.url()).pathname, path);

    await assertHeading(page, 'You need access');
    const note = page.getByRole('status');
    assert.equal(await note.count(), 1, 'no pending note');
    assert.match(await note.textContent(), /Your request for access is pending/);
    assert.equal(await page.locator('textarea[name="message"]').count(), 0, 'the form is still offered');
    assert.equal(await page.getByRole('button', { name: 'Request access' }).count(), 0);
}

async function assertNoRequests(page) {
    assert.equal((await page.getByRole('heading', { level: 2, name: /^Access requests/ }).textContent()).trim(),
                 'Access requests (0)');
    assert.match(await mainText(page), /No access requests are waiting\./);
    assert.equal(await requestRows(page).count(), 0);
}

// Pages at 1280 and 390 pixels wide, checked for sideways overflow.
const shot = (page, name) => shotWidths(OUT, page, name);
const step = stepper(OUT, () => current);

// ---- the loop ----

describe('access requests', () => {
    before(async () => {
        mkdirSync(OUT, { recursive: true });
        browser = await chromium.launch(LAUNCH);
        for (const login of ['max', 'olivia', 'rita', 'sam']) await person(login);
    });

    after(async () => {
        for (const { context } of Object.values(people)) await context.close().catch(() => {});
        await browser?.close().catch(() => {});
    });

    step('09 a refused member gets the page to ask for access', async () => {
        // console.test.mjs put max in the group growth (Warehouse Read-only):
        // take him out again, so that the warehouse refuses him.
        const ctl = (...args) => execFileSync(CTL, ['-d', STORE, ...args], { encoding: 'utf8' });
        const max = JSON.parse(ctl('member', 'show', 'max', '--json'));
        for (const g of max.groups) ctl('group', 'remove', g, 'max');
        assert.deepEqual(max.grants, [], 'max has direct grants');
        await expectAccess('max', WAREHOUSE, 403);
        assert.equal(mails().length, 0, 'the mailbox already holds an access request');

        const page = pageOf('max');
        const res = await open(page, WAREHOUSE, 403);
        assert.match(res.headers()['content-type'], /^text\/html/);
        assert.match(await page.title(), /Access needed/);
        const text = await mainText(page);
        assert.match(text, /You need access/);
        assert.match(text, /the warehouse main/);
        await assertDeniedWithForm(page, 'max');
        await shot(page, '09-denied-page');
    });

    step('10 the member asks for access with a message', async () => {
        const page = pageOf('max');
        await requestAccess(page, 'max', MAX_MESSAGE);
        await shot(page, '10-request-pending');

        // Still refused, and a reload keeps saying it is pending.
        await expectAccess('max', WAREHOUSE, 403);
        await open(page, WAREHOUSE, 403);
        assert.equal(await page.getByRole('status').count(), 1);
    });

    step('11 the owner is mailed', async () => {
        const list = mails();
        assert.equal(list.length, 1, `messages in the mailbox:\n${list.map((m) => m.raw).join('\n.\n')}`);
        const [m] = list;
        assert.equal(m.headers.to, 'olivia@example.com');
        assert.equal(m.headers.from, 'iam@example.com');
        assert.match(m.headers.subject, /Max Member/);
        assert.match(m.headers.subject, /warehouse main/);
        assert.ok(m.body.includes(MAX_MESSAGE), `the message text is not in the mail:\n${m.body}`);
        assert.match(m.body, /asks for read access to warehouse main \(\/warehouses\/main\/\)/);
        assert.ok(m.body.split('\n').includes(`${BASE}/iam/members/max`),
                  `no link to ${BASE}/iam/members/max in the mail:\n${m.body}`);
        // No header but these: nothing from the member reaches the headers.
        assert.deepEqual(Object.keys(m.headers).sort(),
                         ['auto-submitted', 'content-transfer-encoding', 'content-type', 'from',
                          'mime-version', 'subject', 'to']);

        // The mail as text, for the screenshots' reader.
        const page = await people.olivia.context.newPage();
        try {
            current = page;
            await page.setContent(`<pre style="font:14px/1.4 monospace;margin:16px;white-space:pre-wrap">${
                m.raw.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>`);
            await saveShot(OUT, page, '11-owner-mail'); // not a page of the site: one width
        } finally {
            current = undefined;
            await page.close();
        }
    });

    step("12 the owner sees the request on the overview and the member's page", async () => {
        const page = pageOf('olivia');
        await open(page, '/iam/', 200);
        await assertHeading(page, 'Overview');
        assert.equal((await page.getByRole('heading', { level: 2, name: /^Access requests/ }).textContent()).trim(),
                     'Access requests (1)');
        const rows = requestRows(page);
        assert.equal(await rows.count(), 1, `rows: ${await rows.allTextContents()}`);
        const row = rows.first();
        assert.ok(await row.getByRole('link', { name: 'max', exact: true }).isVisible());
        const text = await row.textContent();
        assert.match(text, /read access to warehouse main/);
        assert.ok(text.includes(MAX_MESSAGE), `the message is not in the row: ${text}`);
        assert.ok(await row.getByRole('button', { name: 'Dismiss' }).isVisible());
        await shot(page, '12-console-requests');

        await navigate(page, () => row.getByRole('link', { name: 'max', exact: true }).click());
        assert.equal(new URL(page.url()).pathname, '/iam/members/max');
        await assertHeading(page, 'Max Member');
        assert.ok(await page.getByRole('heading', { level: 2, name: 'Access requests', exact: true }).isVisible());
        const mine = requestRows(page);
        assert.equal(await mine.count(), 1);
        assert.ok((await mine.first().textContent()).includes(MAX_MESSAGE));
        await shot(page, '12-member-request');
    });

    step("13 a change to the member's permissions closes the request", async () => {
        const page = pageOf('olivia');
        const add = page.locator('form').filter({ has: page.locator('input[name="action"][value="grant"]') });
        await add.locator('select[name="role"]').selectOption({ label: 'Warehouse Read-only' });
        await add.locator('select[name="scope"]').selectOption({ label: 'All current and future resources' });
        await navigate(page, () => add.getByRole('button', { name: 'Add role' }).click());
        assert.equal(new URL(page.url()).pathname, '/iam/members/max');
        await assertNotice(page, 'Changes saved.');
        const row = page.getByRole('row').filter({ hasText: 'Warehouse Read-only' });
        assert.equal(await row.count(), 1);
        assert.deepEqual(await grantCells(row), ['Warehouse Read-only', 'All current and future', 'Direct']);
        assert.equal(await page.getByRole('heading', { level: 2, name: 'Access requests', exact: true }).count(), 0,
                     "the request is still on max's page");

        await open(page, '/iam/', 200);
        await assertNoRequests(page);
        await shot(page, '13-request-gone');
    });

    step("14 the member's next request passes", async () => {
        await expectAccess('max', WAREHOUSE, 200);
        const page = pageOf('max');
        const res = await page.reload({ waitUntil: 'load' });
        assert.equal(res.status(), 200);
        assert.equal(new URL(page.url()).pathname, WAREHOUSE);
        assert.doesNotMatch(await page.locator('body').textContent(), /You need access/);
        await shot(page, '14-access-granted');
    });

    step('15 a second member asks for access', async () => {
        // rita reads sources (group analysts), not warehouses.
        await expectAccess('rita', '/sources/web/', 200);
        await expectAccess('rita', WAREHOUSE, 403);

        const page = pageOf('rita');
        await open(page, WAREHOUSE, 403);
        await requestAccess(page, 'rita', RITA_MESSAGE);
        await shot(page, '15-second-request-pending');

        const list = mails();
        assert.equal(list.length, 2, 'not one more message');
        assert.equal(list[1].headers.to, 'olivia@example.com');
        assert.match(list[1].headers.subject, /Rita Reader/);
        assert.ok(list[1].body.includes(RITA_MESSAGE));
        assert.ok(list[1].body.split('\n').includes(`${BASE}/iam/members/rita`));
    });

    step('16 the owner approves the request', async () => {
        const page = pageOf('olivia');
        await open(page, '/iam/', 200);
        const rows = requestRows(page);
        assert.equal(await rows.count(), 1, `rows: ${await rows.allTextContents()}`);
        const row = rows.filter({ has: page.getByRole('link', { name: 'rita', exact: true }) });
        assert.equal(await row.count(), 1);
        assert.match(await row.textContent(), /read access to warehouse main/);
        assert.ok((await row.textContent()).includes(RITA_MESSAGE));
        await navigate(page, () => row.getByRole('button', {
            name: 'Grant Warehouse Read-only on all warehouse resources', exact: true,
        }).click());
        assert.equal(new URL(page.url()).pathname, '/iam/');
        await assertNotice(page, 'Approved the request of rita: they have the access they asked for.');
        await assertNoRequests(page);
        await shot(page, '16-request-approved');

        // The lowest role that reads a warehouse: Warehouse Read-only, which
        // only comes for all warehouses.
        await open(page, '/iam/members/rita', 200);
        const grant = page.getByRole('row').filter({ hasText: 'Warehouse Read-only' });
        assert.equal(await grant.count(), 1);
        assert.deepEqual(await grantCells(grant), ['Warehouse Read-only', 'All current and future', 'Direct']);
        assert.equal(await page.getByRole('row').filter({ hasText: 'Warehouse Admin' }).count(), 0);

        await expectAccess('rita', WAREHOUSE, 200);
        await expectAccess('rita', WAREHOUSE, 403, 'POST');
        await expectAccess('rita', '/sources/web/', 200); // her group's role is untouched
        const ritaPage = pageOf('rita');
        const res = await ritaPage.reload({ waitUntil: 'load' });
        assert.equal(res.status(), 200);
        assert.doesNotMatch(await ritaPage.locator('body').textContent(), /You need access/);
        await shot(ritaPage, '16-approved-access');
    });

    step('17 a member asks for access to two pages', async () => {
        // sam administers the source checkout, nothing else.
        await expectAccess('sam', WEB, 403);
        await expectAccess('sam', WAREHOUSE, 403);
        const before = mails().length;

        const page = pageOf('sam');
        await open(page, WEB, 403);
        await requestAccess(page, 'sam', SAM_WEB_MESSAGE, WEB);
        await open(page, WAREHOUSE, 403);
        // the first request is listed under the other requests, pending
        assert.match(await mainText(page), /read access to the source web: pending since/);
        await requestAccess(page, 'sam', SAM_WAREHOUSE_MESSAGE, WAREHOUSE);
        assert.match(await mainText(page), /read access to the source web: pending since/);
        await shot(page, '17-two-requests-pending');

        const list = mails();
        assert.equal(list.length, before + 2, 'not one message per request');
        assert.ok(list.slice(-2).every((m) => /Sam Source-Admin/.test(m.headers.subject)));
        assert.ok(list.at(-2).body.includes(SAM_WEB_MESSAGE));
        assert.ok(list.at(-1).body.includes(SAM_WAREHOUSE_MESSAGE));
    });

    step('18 the owner approves one request and dismisses the other', async () => {
        const page = pageOf('olivia');
        await open(page, '/iam/', 200);
        const rows = requestRows(page);
        assert.equal(await rows.count(), 2, `rows: ${await rows.allTextContents()}`);
        const web = rows.filter({ hasText: 'read access to source web' });
        const warehouse = rows.filter({ hasText: 'read access to warehouse main' });
        assert.equal(await web.count(), 1);
        assert.equal(await warehouse.count(), 1);
        assert.ok((await web.textContent()).includes(SAM_WEB_MESSAGE));
        await shot(page, '18-two-requests');

        // The least that gives read on one source: Source Read-only on it.
        await navigate(page, () => web.getByRole('button', { name: 'Grant Source Read-only on web', exact: true }).click());
        await assertNotice(page, 'Approved the request of sam: they have the access they asked for.');
        // approving one leaves the other open
        assert.equal(await requestRows(page).count(), 1);
        const left = requestRows(page).filter({ hasText: 'read access to warehouse main' });
        assert.equal(await left.count(), 1);
        await navigate(page, () => left.getByRole('button', { name: 'Dismiss', exact: true }).click());
        await assertNotice(page, 'Dismissed the request of sam.');
        await assertNoRequests(page);
        await shot(page, '18-approved-and-dismissed');

        await open(page, '/iam/members/sam', 200);
        const grant = page.getByRole('row').filter({ hasText: 'Source Read-only' });
        assert.equal(await grant.count(), 1);
        assert.deepEqual(await grantCells(grant), ['Source Read-only', 'web', 'Direct']);
        assert.equal(await page.getByRole('row').filter({ hasText: /^Warehouse/ }).count(), 0);

        await expectAccess('sam', WEB, 200);
        await expectAccess('sam', WAREHOUSE, 403);
        await expectAccess('sam', IOS, 403);

        // sam is mailed each answer
        const mine = answers('sam@example.com');
        assert.deepEqual(mine.map((m) => m.headers.subject),
                         ['Your access request for source web: approved',
                          'Your access request for warehouse main: dismissed']);
        assert.match(mine[0].body, /approved it: you now have Source Read-only on web\./);
        assert.match(mine[1].body, /dismissed it\./);
    });

    step('19 the refused member sees both answers, and the approved page opens', async () => {
        const page = pageOf('sam');
        // The dismissed page says so, and offers the form again.
        await open(page, WAREHOUSE, 403);
        await assertHeading(page, 'You need access');
        const note = page.getByRole('status');
        assert.equal(await note.count(), 1);
        assert.match(await note.textContent(), /^olivia dismissed your request on .+\. If you still need access, you can ask again\.$/);
        assert.equal(await page.locator('textarea[name="message"]').count(), 1, 'no form to ask again');
        assert.match(await mainText(page), /Your other access requests\s*read access to the source web: approved by olivia, /);
        await shot(page, '19-dismissed-page');

        // A page he never asked for lists both answers.
        await open(page, IOS, 403);
        const others = await mainText(page);
        assert.match(others, /read access to the source web: approved by olivia, /);
        assert.match(others, /read access to the warehouse main: dismissed by olivia, /);
        assert.equal(await page.getByRole('status').count(), 0, 'a status for a page he never asked for');
        await shot(page, '19-both-answers');

        const res = await open(page, WEB, 200);
        assert.equal(new URL(res.url()).pathname, WEB);
        assert.doesNotMatch(await page.locator('body').textContent(), /You need access/);
        await shot(page, '19-approved-page');
    });

    step('no server errors and nothing left 127.0.0.1', async () => {
        assert.deepEqual(serverErrors, []);
        assert.deepEqual(offsite, []);
    });
});
