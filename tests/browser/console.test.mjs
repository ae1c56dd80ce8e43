// Browser test of mod_iam's owners' console (/iam), run by ./run with
// `node --test`. It walks the procedures of "Manage Workspace Access" the
// way a Workspace Owner (olivia) would, in Debian's chromium driven by
// playwright-core, and after every step checks the access that results
// with a real request to a protected path of the demo site as the member
// concerned. Each step saves full-page screenshots to $IAM_OUT at 1280 and
// 390 pixels wide, and checks that neither scrolls sideways.
//
// Environment (set by ./run): IAM_URL (http://127.0.0.1:PORT), IAM_OUT
// (screenshot folder); IAM_STORE and IAM_CTL are passed for debugging.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { accessChecks } from './access.mjs';
import { LAUNCH, basicContext, grantCells, mainText, shotWidths, stepper } from '../e2e.mjs';

const BASE = process.env.IAM_URL;
const OUT = process.env.IAM_OUT || new URL('./out', import.meta.url).pathname;
if (!BASE || !/^http:\/\/127\.0\.0\.1:\d+$/.test(BASE))
    throw new Error('IAM_URL must be http://127.0.0.1:PORT (start this test with ./run)');
const { expectAccess, expectAllowed } = accessChecks(BASE);


let browser, context, page;
const serverErrors = []; // 5xx answers the console gave
const offsite = []; // any request that was not for 127.0.0.1

// ---- browser helpers ----

// The page at 1280 and 390 pixels wide, checked for sideways overflow.
async function shot(name) {
    await shotWidths(OUT, page, name);
}

// Runs `act` (a click that submits a form or follows a link) and waits for
// the page it leads to, through any 303 redirect.
async function navigate(act) {
    const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), act()]);
    assert.ok(res, 'the action loaded no page');
    assert.ok(res.status() < 400, `${res.url()} answered ${res.status()}: ${await bodyText()}`);
    return res;
}

async function bodyText() {
    return (await page.locator('main').textContent().catch(() => '')) || '';
}

async function goto(path) {
    const res = await page.goto(BASE + path, { waitUntil: 'load' });
    assert.equal(res.status(), 200, `GET ${path}: ${res.status()}`);
}

async function tab(label) {
    await navigate(() => page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click());
    await assertHeading(label);
}

async function assertHeading(text) {
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), text);
}

// The confirmation notice a change leaves on the page it redirects to.
async function assertNotice(text) {
    const notice = page.getByRole('status');
    assert.equal(await notice.count(), 1, `no confirmation notice on ${page.url()}`);
    assert.equal((await notice.textContent()).trim(), text);
    assert.equal(await page.getByRole('alert').count(), 0, 'an error notice is shown');
}

// Opens a member's page from the Users tab, as an owner would.
// A form of the page, told apart by a field only it has.
function formWith(selector) {
    return page.locator('form').filter({ has: page.locator(selector) });
}

// Types into the search box labelled `label` and submits its own form.
async function search(label, text) {
    const box = page.getByRole('searchbox', { name: label, exact: true });
    await box.fill(text);
    const form = page.locator('form').filter({ has: box });
    await navigate(() => form.getByRole('button', { name: 'Search', exact: true }).click());
}

async function openMember(name) {
    await tab('Users');
    await navigate(() => page.getByRole('link', { name, exact: true }).click());
    await assertHeading(name);
}

async function openGroup(name) {
    await tab('Groups');
    await navigate(() => page.getByRole('main').getByRole('link', { name, exact: true }).click());
    await assertHeading(name);
}

const step = stepper(OUT, () => page);

// ---- the procedures ----

describe("owners' console", () => {
    before(async () => {
        mkdirSync(OUT, { recursive: true });
        for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));
        browser = await chromium.launch(LAUNCH);
        context = await basicContext(browser, BASE, 'olivia', offsite); // nothing leaves 127.0.0.1
        page = await context.newPage();
        page.on('response', (res) => {
            if (res.status() >= 500) serverErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
        });
    });

    after(async () => {
        await context?.close().catch(() => {});
        await browser?.close().catch(() => {});
    });

    step('00 the console opens for the owner', async () => {
        await goto('/iam');
        await assertHeading('Overview');
        assert.match(await page.locator('header').textContent(), /olivia · business plan/i);
        await shot('00-overview');
    });

    step('01 invite a team member', async () => {
        // dana can log in but is not a member yet.
        await expectAccess('dana', '/sources/checkout/', 403);

        await tab('Users');
        await navigate(() => page.getByRole('main').getByRole('link', { name: 'Invite Team Member' }).click());
        await assertHeading('Invite Team Member');

        // On the business plan nothing is marked unavailable.
        const form = formWith('input[name="email"]');
        assert.equal(await form.locator('option[disabled]').count(), 0, 'a role or scope is disabled');
        assert.equal(await form.locator('.unavailable').count(), 0, 'something is marked unavailable');
        assert.doesNotMatch(await form.textContent(), /not on this plan|not available/i);
        assert.ok(await page.getByRole('checkbox', { name: 'analysts' }).isEnabled());

        await page.getByLabel('Email address').fill('dana@example.com');
        await page.getByLabel('Name (optional)').fill('Dana Developer');
        await page.getByLabel(/^Login/).fill('dana');
        await page.locator('select[name="role1"]').selectOption({ label: 'Source Admin' });
        await page.locator('select[name="scope1"]').selectOption({ label: 'Specific resources' });
        await page.locator('input[name="items1"]').fill('checkout');
        await shot('01-invite-member-form');
        await navigate(() => page.getByRole('button', { name: 'Invite Team Member' }).click());

        assert.equal(new URL(page.url()).pathname, '/iam/members/dana');
        await assertHeading('Dana Developer');
        // the run script sets IAMMailCommand, so the invitation is mailed too
        await assertNotice('Invitation saved and mailed. The member becomes active at their first login.');
        const row = page.getByRole('row').filter({ hasText: 'Source Admin' });
        assert.equal(await row.count(), 1);
        assert.deepEqual(await grantCells(row), ['Source Admin', 'checkout', 'Direct']);
        await shot('01-invite-member');

        await expectAccess('dana', '/sources/checkout/', 200);
        await expectAccess('dana', '/sources/web/', 403);
    });

    step('02 search for the member by email', async () => {
        await tab('Users');
        await search('Search by name or email', 'DANA@EXAMPLE');

        const rows = page.getByRole('main').getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
        assert.equal(await rows.count(), 1, `rows: ${await rows.allTextContents()}`);
        assert.match(await rows.first().textContent(), /dana@example\.com/);
        assert.ok(await rows.first().getByRole('link', { name: 'Dana Developer' }).isVisible());
        // dana has made a request since the invitation: she is active now
        // (written by the server's child just after it answered: look again
        // until it shows, a few times at most).
        for (let i = 0; i < 20 && !/active/.test(await rows.first().textContent()); i++) {
            await new Promise((done) => setTimeout(done, 250));
            await page.reload({ waitUntil: 'load' });
        }
        assert.match(await rows.first().textContent(), /active/);
        await shot('02-search-member');
    });

    step("03 change the member's roles", async () => {
        // As Source Admin on checkout she may change it (authorized; the static page says 405).
        await expectAllowed('dana', '/sources/checkout/', 'POST');

        await navigate(() => page.getByRole('link', { name: 'Dana Developer', exact: true }).click());
        await assertHeading('Dana Developer');
        const adminRow = page.getByRole('row').filter({ hasText: 'Source Admin' });
        await navigate(() => adminRow.getByRole('button', { name: 'Remove' }).click());
        await assertNotice('Changes saved.');
        assert.equal(await page.getByRole('row').filter({ hasText: 'Source Admin' }).count(), 0);

        const add = formWith('input[name="action"][value="grant"]');
        await add.locator('select[name="role"]').selectOption({ label: 'Source Read-only' });
        await add.locator('select[name="scope"]').selectOption({ label: 'All current and future resources' });
        await navigate(() => add.getByRole('button', { name: 'Add role' }).click());
        await assertNotice('Changes saved.');
        const row = page.getByRole('row').filter({ hasText: 'Source Read-only' });
        assert.equal(await row.count(), 1);
        assert.deepEqual(await grantCells(row), ['Source Read-only', 'All current and future', 'Direct']);
        await shot('03-change-roles');

        await expectAccess('dana', '/sources/web/', 200);
        await expectAccess('dana', '/sources/checkout/', 200);
        await expectAccess('dana', '/sources/checkout/', 403, 'POST');
        await expectAccess('dana', '/sources/checkout/settings/', 403);
    });

    step('04 create a user group', async () => {
        await expectAccess('max', '/warehouses/main/', 403);

        await tab('Groups');
        await navigate(() => page.getByRole('main').getByRole('link', { name: 'Create User Group' }).click());
        await assertHeading('Create User Group');
        await page.getByLabel('Group name').fill('growth');
        await page.locator('select[name="role1"]').selectOption({ label: 'Warehouse Read-only' });
        await page.locator('select[name="scope1"]').selectOption({ label: 'All current and future resources' });

        // Find members by name or email.
        await search('Search members by name or email', 'max');
        const pick = page.getByRole('checkbox', { name: /Max Member/ });
        assert.equal(await pick.count(), 1);
        assert.equal(await page.getByRole('checkbox', { name: /Sam Source-Admin/ }).count(), 0,
                     'the search for "max" lists others');
        // The form keeps what was entered.
        assert.equal(await page.getByLabel('Group name').inputValue(), 'growth');
        assert.equal(await page.locator('select[name="role1"]').inputValue(), 'warehouse-read-only');
        await pick.check();

        await navigate(() => page.getByRole('button', { name: 'Review', exact: true }).click());
        const panel = page.getByRole('complementary');
        assert.match(await panel.textContent(), /Warehouse Read-only/);
        assert.match(await panel.textContent(), /Members \(1\)Max Member \(max\)/);
        assert.ok(await page.getByRole('list', { name: 'Chosen members' }).getByText('Max Member (max)').isVisible(),
                  'max is not among the chosen');
        await shot('04-create-group-review');

        await navigate(() => page.getByRole('button', { name: 'Create User Group' }).click());
        assert.equal(new URL(page.url()).pathname, '/iam/groups/growth');
        await assertHeading('growth');
        await assertNotice('User group created.');
        const members = formWith('button[value="confirm-remove"]');
        assert.deepEqual((await members.getByRole('checkbox').all()).length, 1);
        assert.ok(await members.getByRole('checkbox', { name: /^Max Member/ }).isVisible());
        await shot('04-create-group');

        await expectAccess('max', '/warehouses/main/', 200);
    });

    step('05 add a member to a group from the member page', async () => {
        await expectAccess('dana', '/warehouses/main/', 403);

        await openMember('Dana Developer');
        const join = formWith('button[value="join"]');
        await join.getByRole('checkbox', { name: 'growth', exact: true }).check();
        await navigate(() => join.getByRole('button', { name: 'Add User Group' }).click());
        await assertNotice('Added to growth.');
        const row = page.getByRole('row').filter({ hasText: 'Warehouse Read-only' });
        assert.equal(await row.count(), 1);
        assert.deepEqual(await grantCells(row), ['Warehouse Read-only', 'All current and future', 'Group growth']);
        assert.ok(await page.getByRole('link', { name: 'Remove Dana Developer from growth' }).isVisible());
        await shot('05-add-to-group-from-member');

        await expectAccess('dana', '/warehouses/main/', 200);
    });

    step('06 add a member to a group from the group page', async () => {
        await expectAccess('sam', '/warehouses/main/', 403);

        await openGroup('growth');
        assert.ok(await page.getByRole('heading', { name: 'Add members' }).isVisible());
        await search('Search members to add by name or email', 'sam');
        const add = formWith('button[value="add-members"]');
        const pick = add.getByRole('checkbox', { name: /Sam Source-Admin/ });
        assert.equal(await pick.count(), 1);
        await pick.check();
        // ticked since the review: the page asks to review who will be added
        await navigate(() => add.getByRole('button', { name: 'Add to growth' }).click());
        await assertNotice('Review who will be added, then press Add again.');
        assert.match(await formWith('button[value="add-members"]').textContent(), /To be added \(1\)Sam Source-Admin \(sam\)/);
        await navigate(() => formWith('button[value="add-members"]').getByRole('button', { name: 'Add to growth' }).click());
        await assertNotice('Added Sam Source-Admin to growth.');
        const members = formWith('button[value="confirm-remove"]');
        assert.ok(await members.getByRole('checkbox', { name: /^Sam Source-Admin/ }).isVisible());
        await shot('06-add-to-group-from-group');

        await expectAccess('sam', '/warehouses/main/', 200);
    });

    step('07 remove a member from a group', async () => {
        await openGroup('growth');
        const members = formWith('button[value="confirm-remove"]');
        await members.getByRole('checkbox', { name: /^Sam Source-Admin/ }).check();
        await navigate(() => members.getByRole('button', { name: 'Remove selected from growth…' }).click());
        await assertHeading('Remove from group');
        assert.match(await mainText(page), /Remove 1 member from growth\?/);
        await navigate(() => page.getByRole('button', { name: 'Remove 1 member from growth' }).click());
        await assertNotice('Removed Sam Source-Admin from growth.');
        const left = formWith('button[value="confirm-remove"]');
        assert.equal(await left.getByRole('checkbox', { name: /^Sam Source-Admin/ }).count(), 0);
        assert.equal(await left.getByRole('checkbox').count(), 2); // max and dana
        await shot('07-remove-from-group');

        await expectAccess('sam', '/warehouses/main/', 403);
        await expectAccess('sam', '/sources/checkout/', 200); // his own role is untouched
        await expectAccess('max', '/warehouses/main/', 200);
    });

    step('08 remove a team member', async () => {
        await openMember('Dana Developer');
        await navigate(() => page.getByRole('link', { name: 'Remove Team Member' }).click());
        await assertHeading('Remove Team Member');
        assert.match(await bodyText(), /Remove Dana Developer \(dana\) from the workspace\?/);
        await shot('08-remove-member-confirm');
        await navigate(() => page.getByRole('main').getByRole('button', { name: 'Remove Team Member' }).click());

        assert.equal(new URL(page.url()).pathname, '/iam/members');
        await assertHeading('Users');
        await assertNotice('Removed dana from the workspace.');
        const table = page.getByRole('main').getByRole('table');
        assert.doesNotMatch(await table.textContent(), /dana/i);
        assert.match(await table.textContent(), /olivia@example\.com/);
        await shot('08-remove-member');

        await expectAccess('dana', '/sources/web/', 403);
        await expectAccess('dana', '/warehouses/main/', 403);
        await expectAccess('dana', '/', 403);

        // The group lost her too.
        await openGroup('growth');
        const members = formWith('button[value="confirm-remove"]');
        assert.equal(await members.getByRole('checkbox', { name: /dana/ }).count(), 0);
    });

    step('no server errors and nothing left 127.0.0.1', async () => {
        assert.deepEqual(serverErrors, []);
        assert.deepEqual(offsite, []);
    });
});
