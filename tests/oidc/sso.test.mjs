// End-to-end single sign-on, run by ./run with `node --test`: Debian's
// mod_auth_openidc in front of mod_iam, logging in against a real OpenID
// Provider (oidc-provider, op.mjs) on 127.0.0.1, in Debian's chromium driven
// by playwright-core, one browser context per person:
//   nina, unknown to the workspace, opens the site, is sent to the
//   provider, signs in and consents, and lands on the workspace home: mod_iam
//   made her a Workspace Member just in time, with the email and name of the
//   ID token's claims (the provider has no userinfo endpoint);
//   she is refused the source checkout with mod_iam's page and asks for
//   access;
//   olivia, the owner, signs in to the console through the same provider and
//   approves the request (Source Read-only on checkout);
//   nina's reload of checkout passes, with no new trip to the provider.
// Each step saves a full-page screenshot to $IAM_OUT.
//
// Environment (set by ./run): IAM_URL (http://127.0.0.1:PORT, Apache),
// OP_URL (http://127.0.0.1:PORT, the provider), IAM_OUT (screenshot
// folder), IAM_CTL and IAM_STORE (iamctl and the server's store);
// IAM_TRACE=1 logs every request of the browser with its time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { LAUNCH, heading, mainText, navigate, openPerson, requestRows, shot as saveShot, stepper } from '../e2e.mjs';

const BASE = process.env.IAM_URL;
const OP = process.env.OP_URL;
const OUT = process.env.IAM_OUT || new URL('./out', import.meta.url).pathname;
const CTL = process.env.IAM_CTL;
const STORE = process.env.IAM_STORE;
for (const [name, value] of [['IAM_URL', BASE], ['OP_URL', OP]])
    if (!value || !/^http:\/\/127\.0\.0\.1:\d+$/.test(value))
        throw new Error(`${name} must be http://127.0.0.1:PORT (start this test with ./run)`);
if (!CTL || !STORE) throw new Error('IAM_CTL and IAM_STORE must be set (start this test with ./run)');

const CHECKOUT = '/sources/checkout/';
const MESSAGE = 'I am new on the checkout team';

let browser;
const people = {}; // login -> { context, page, toProvider: [urls] }
let current; // the page the running step works on (for a failure's screenshot)
const serverErrors = []; // 5xx answers, from Apache or the provider
const offsite = []; // any request that was not for 127.0.0.1

const ctl = (...args) => execFileSync(CTL, ['-d', STORE, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// ---- browser helpers ----

async function person(login) {
    const me = await openPerson(browser, login, { provider: OP, offsite, serverErrors });
    people[login] = me;
    return me.page;
}

function pageOf(login) {
    current = people[login].page;
    return current;
}

// The URLs of the redirect chain that led to `res`, oldest first.
function chain(res) {
    const hops = [];
    for (let q = res.request(); q; q = q.redirectedFrom()) hops.unshift(q.url());
    return hops;
}

// After the sign-in form: the provider asks for consent (the first time a
// person uses the client); Allow sends the browser back to the site.
async function consent(page, { shots = '' } = {}) {
    assert.equal(new URL(page.url()).origin, OP, `no consent page: ${page.url()}`);
    assert.equal(await heading(page), 'Authorize');
    const asked = await page.getByRole('listitem').allTextContents();
    for (const scope of ['openid', 'email', 'profile']) assert.ok(asked.includes(scope), `asked for: ${asked}`);
    if (shots) await shot(page, `${shots}-provider-consent`);
    const [res] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    return res;
}

// The whole login, from the site's page `path` opened with no session: the
// site sends the browser to the provider's sign-in form; signs in there (a
// wrong password first, when `tryWrong`), consents, and checks that the
// provider sent the browser back through mod_auth_openidc's redirect URI to
// `path`, answered with `want`. Returns that page's response.
async function logInThroughProvider(page, login, path, want, { tryWrong = false, shots = '' } = {}) {
    await page.goto(BASE + path, { waitUntil: 'load' });
    const at = new URL(page.url());
    assert.equal(at.origin, OP, `${path} did not send the browser to the provider: ${page.url()}`);
    assert.match(at.pathname, /^\/interaction\//);
    assert.equal(await heading(page), 'Sign in');
    assert.match(await mainText(page), /to continue to mod-iam/);
    if (tryWrong) {
        await page.getByLabel('Username').fill(login);
        await page.getByLabel('Password').fill('not-the-password');
        await navigate(page, () => page.getByRole('button', { name: 'Sign in' }).click());
        assert.equal((await page.getByRole('alert').textContent()).trim(), 'Wrong username or password.');
        assert.equal(new URL(page.url()).origin, OP, 'a wrong password was let through');
    }
    await page.getByLabel('Username').fill(login);
    await page.getByLabel('Password').fill(`${login}-pw`);
    if (shots) await shot(page, `${shots}-provider-sign-in`);
    await navigate(page, () => page.getByRole('button', { name: 'Sign in' }).click());

    const res = await consent(page, { shots });
    assert.ok(res, 'consent loaded no page');
    assert.equal(res.status(), want, `${res.url()} answered ${res.status()}: ${await mainText(page)}`);
    assert.equal(page.url(), BASE + path, `the login ended on ${page.url()}`);
    const hops = chain(res).map((u) => new URL(u));
    const back = hops.find((u) => u.origin === BASE && u.pathname === '/redirect_uri');
    assert.ok(back, `the provider did not answer to the redirect URI: ${hops.map(String).join(' -> ')}`);
    assert.ok(back.searchParams.get('code'), 'no authorization code');
    assert.equal(back.searchParams.get('iss'), OP);
    return res;
}

const shot = (page, name) => saveShot(OUT, page, name);
const step = stepper(OUT, () => current);

// ---- the story ----

describe('single sign-on', () => {
    before(async () => {
        mkdirSync(OUT, { recursive: true });
        for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));
        browser = await chromium.launch(LAUNCH);
        for (const login of ['nina', 'olivia']) await person(login);
    });

    after(async () => {
        for (const { context } of Object.values(people)) await context.close().catch(() => {});
        await browser?.close().catch(() => {});
    });

    step('01 a first login through the provider lands in the workspace', async () => {
        // nina is unknown to the workspace before she logs in.
        assert.throws(() => ctl('member', 'show', 'nina', '--json'), 'nina is already a member');

        const page = pageOf('nina');
        await logInThroughProvider(page, 'nina', '/', 200, { tryWrong: true, shots: '01' });
        assert.equal(await heading(page), 'home');
        await shot(page, '01-home');
    });

    step('02 she is a Workspace Member with the claims of her ID token', async () => {
        // The provider has no userinfo endpoint: the claims can only have
        // come from the ID token.
        const discovery = await (await fetch(`${OP}/.well-known/openid-configuration`)).json();
        assert.equal(discovery.issuer, OP);
        assert.equal(discovery.userinfo_endpoint, undefined);

        const nina = JSON.parse(ctl('member', 'show', 'nina', '--json'));
        assert.equal(nina.login, 'nina');
        assert.equal(nina.status, 'active');
        assert.equal(nina.email, 'nina@corp.example');
        assert.equal(nina.name, 'Nina New');
        assert.equal(nina.owner, false);
        assert.deepEqual(nina.grants, []);
        assert.deepEqual(nina.groups, []);

        const audit = JSON.parse(ctl('audit', '--json'));
        const mine = audit.filter((a) => a.target === 'nina');
        assert.equal(mine.length, 1, `audit entries for nina: ${JSON.stringify(mine)}`);
        assert.equal(mine[0].action, 'member.provision');
        assert.equal(mine[0].actor, 'system');
        assert.match(mine[0].after, /status=active email=nina@corp\.example name=Nina New/);
    });

    step("03 she is refused the source checkout with mod_iam's page and asks for access", async () => {
        const page = pageOf('nina');
        people.nina.toProvider.length = 0;
        const res = await navigate(page, () => page.goto(BASE + CHECKOUT, { waitUntil: 'load' }), 403);
        assert.equal(page.url(), BASE + CHECKOUT, 'the refusal went anywhere but the page');
        assert.match(res.headers()['content-type'], /^text\/html/);
        assert.match(await page.title(), /Access needed/);
        assert.equal(await heading(page), 'You need access');
        const text = await mainText(page);
        assert.match(text, /You are signed in as nina, and you do not have read access to the source checkout\./);
        const form = page.locator('form').filter({ has: page.locator('textarea[name="message"]') });
        assert.equal(await form.count(), 1, 'no request form');
        assert.equal(await form.getAttribute('method'), 'post');
        assert.equal(new URL(await form.getAttribute('action'), BASE).href, `${BASE}/iam/request-access`);
        await shot(page, '02-denied-page');

        // The form posts to the console, behind the same login.
        await form.getByRole('textbox').fill(MESSAGE);
        const back = await navigate(page, () => form.getByRole('button', { name: 'Request access' }).click(), 403);
        const post = back.request().redirectedFrom();
        assert.ok(post, 'the request form did not redirect');
        assert.equal(post.method(), 'POST');
        assert.equal((await post.response()).status(), 303);
        assert.equal(page.url(), BASE + CHECKOUT);
        assert.match(await page.getByRole('status').textContent(), /Your request for access is pending/);
        await shot(page, '03-request-pending');
        assert.deepEqual(people.nina.toProvider, [], 'her session did not hold');
    });

    step('04 the owner signs in to the console through the provider and approves', async () => {
        const page = pageOf('olivia');
        await logInThroughProvider(page, 'olivia', '/iam/', 200, { shots: '04' });
        assert.equal(await heading(page), 'Overview');
        assert.match(await page.locator('header').textContent(), /olivia · business plan/i);
        const rows = requestRows(page);
        assert.equal(await rows.count(), 1, `rows: ${await rows.allTextContents()}`);
        const row = rows.first();
        assert.ok(await row.getByRole('link', { name: 'nina', exact: true }).isVisible());
        assert.match(await row.textContent(), /read access to source checkout/);
        assert.ok((await row.textContent()).includes(MESSAGE));
        await shot(page, '04-owner-overview');

        await navigate(page, () => row.getByRole('button', { name: 'Grant Source Read-only on checkout', exact: true }).click());
        assert.equal((await page.getByRole('status').textContent()).trim(),
                     'Approved the request of nina: they have the access they asked for.');
        assert.equal(await requestRows(page).count(), 0);

        await navigate(page, () => page.goto(`${BASE}/iam/members/nina`, { waitUntil: 'load' }));
        assert.equal(await heading(page), 'Nina New');
        assert.match(await mainText(page), /nina@corp\.example/);
        const grant = page.getByRole('row').filter({ hasText: 'Source Read-only' });
        assert.equal(await grant.count(), 1);
        assert.match(await grant.textContent(), /checkout/);
        await shot(page, '05-owner-member-page');

        const nina = JSON.parse(ctl('member', 'show', 'nina', '--json'));
        assert.deepEqual(nina.grants, [{ role: 'source-read-only', scope: 'resources', resources: ['checkout'] }]);
        const audit = JSON.parse(ctl('audit', '--json'));
        assert.ok(audit.some((a) => a.actor === 'console:olivia' && a.action === 'request.approve' && a.target === 'nina'),
                  `no audit entry of olivia's for nina: ${JSON.stringify(audit.slice(0, 4))}`);
    });

    step("05 nina's next request passes without a new login", async () => {
        const page = pageOf('nina');
        people.nina.toProvider.length = 0;
        const res = await page.reload({ waitUntil: 'load' });
        assert.equal(res.status(), 200, `reload: ${res.status()}: ${await mainText(page)}`);
        assert.equal(page.url(), BASE + CHECKOUT);
        assert.equal(res.request().redirectedFrom(), null, 'the reload was redirected');
        assert.equal(await heading(page), 'sources/checkout');
        assert.deepEqual(people.nina.toProvider, [], 'the reload went to the provider');
        await shot(page, '06-access-granted');
    });

    step('no server errors and nothing left 127.0.0.1', async () => {
        assert.deepEqual(serverErrors, []);
        assert.deepEqual(offsite, []);
    });
});
