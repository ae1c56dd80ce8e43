// End-to-end single sign-on over SAML 2.0, run by ./run with `node --test`:
// Debian's mod_auth_mellon in front of mod_iam, logging in against a SAML
// identity provider (samlp, idp.mjs) on 127.0.0.1, in Debian's chromium
// driven by playwright-core, one browser context per person:
//   Mellon's own endpoints answer without a login (the one exemption in
//   site.conf), and the same endpoint without that exemption is refused by
//   mod_iam as "no user";
//   nina, unknown to the workspace, opens the site, is sent to the IdP,
//   signs in there, and her browser posts the assertion to
//   /mellon/postResponse and lands on the workspace home: mod_iam made her a
//   Workspace Member just in time, with the email and name of the
//   assertion's attributes;
//   she is refused the source checkout with mod_iam's page and asks for
//   access;
//   rita (a group grant) signs in straight to the checkout and sees it; max
//   (a member with no grant) signs in to mod_iam's 403 page;
//   ivy, invited by email only, signs in with another login and takes the
//   invitation (and its grant on the web source) up;
//   olivia, the owner, signs in to the console and approves nina's request;
//   nina's reload of checkout passes, with no new trip to the IdP;
//   the error log has no sign of an empty login reaching mod_iam.
// Each step saves a full-page screenshot to $IAM_OUT.
//
// Environment (set by ./run): IAM_URL (http://127.0.0.1:PORT, Apache),
// IDP_URL (http://127.0.0.1:PORT, the IdP), SP_ENTITY_ID, IAM_OUT
// (screenshot folder), IAM_CTL and IAM_STORE (iamctl and the server's
// store), IAM_ERROR_LOG (Apache's error log); IAM_TRACE=1 logs every request
// of the browser with its time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { LAUNCH, heading, mainText, navigate, openPerson, requestRows, shot as saveShot, stepper } from '../e2e.mjs';

const BASE = process.env.IAM_URL;
const IDP = process.env.IDP_URL;
const SP_ENTITY_ID = process.env.SP_ENTITY_ID;
const OUT = process.env.IAM_OUT || new URL('./out', import.meta.url).pathname;
const CTL = process.env.IAM_CTL;
const STORE = process.env.IAM_STORE;
const ERROR_LOG = process.env.IAM_ERROR_LOG;
for (const [name, value] of [['IAM_URL', BASE], ['IDP_URL', IDP]])
    if (!value || !/^http:\/\/127\.0\.0\.1:\d+$/.test(value))
        throw new Error(`${name} must be http://127.0.0.1:PORT (start this test with ./run)`);
if (!CTL || !STORE || !ERROR_LOG || !SP_ENTITY_ID)
    throw new Error('IAM_CTL, IAM_STORE, IAM_ERROR_LOG and SP_ENTITY_ID must be set (start this test with ./run)');

const CHECKOUT = '/sources/checkout/';
const ACS = `${BASE}/mellon/postResponse`;
const MESSAGE = 'I am new on the checkout team';

let browser;
const people = {}; // login -> { context, page, toProvider: [requests] }
let current; // the page the running step works on (for a failure's screenshot)
const serverErrors = []; // 5xx answers, from Apache or the IdP
const offsite = []; // any request that was not for 127.0.0.1

const ctl = (...args) => execFileSync(CTL, ['-d', STORE, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const member = (login) => JSON.parse(ctl('member', 'show', login, '--json'));

// ---- browser helpers ----

async function person(login) {
    const me = await openPerson(browser, login, { provider: IDP, offsite, serverErrors });
    people[login] = me;
    return me.page;
}

async function pageOf(login) {
    current = people[login]?.page || await person(login);
    return current;
}

// The requests of the redirect chain that led to `res`, oldest first.
function chain(res) {
    const hops = [];
    for (let q = res.request(); q; q = q.redirectedFrom()) hops.unshift(q);
    return hops;
}

// The whole SAML login, from the site's page `path` opened with no session:
// mod_auth_mellon sends the browser through /mellon/login to the IdP with a
// signed AuthnRequest; signs in there (a wrong password first, when
// `tryWrong`); the IdP's page posts the assertion to /mellon/postResponse,
// which sends the browser back to `path`, answered with `want`. Returns that
// page's response.
async function logInThroughIdP(page, login, path, want, { tryWrong = false, shots = '' } = {}) {
    const start = await page.goto(BASE + path, { waitUntil: 'load' });
    const at = new URL(page.url());
    assert.equal(at.origin, IDP, `${path} did not send the browser to the IdP: ${page.url()}`);
    assert.match(at.pathname, /^\/login\/[\w-]+$/);
    assert.equal(start.status(), 200);
    const out = chain(start).map((q) => new URL(q.url()));
    assert.equal(out[0].href, BASE + path, `the chain: ${out.join(' -> ')}`);
    const toLogin = out.find((u) => u.origin === BASE && u.pathname === '/mellon/login');
    assert.ok(toLogin, `not through /mellon/login: ${out.join(' -> ')}`);
    assert.equal(toLogin.searchParams.get('ReturnTo'), BASE + path);
    const sso = out.find((u) => u.origin === IDP && u.pathname === '/sso');
    assert.ok(sso, `no AuthnRequest: ${out.join(' -> ')}`);
    for (const p of ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature'])
        assert.ok(sso.searchParams.get(p), `the AuthnRequest has no ${p}`);

    assert.equal(await heading(page), 'Sign in');
    assert.match(await mainText(page), new RegExp(`to continue to ${SP_ENTITY_ID.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    if (tryWrong) {
        await page.getByLabel('Username').fill(login);
        await page.getByLabel('Password').fill('not-the-password');
        await navigate(page, () => page.getByRole('button', { name: 'Sign in' }).click());
        assert.equal((await page.getByRole('alert').textContent()).trim(), 'Wrong username or password.');
        assert.equal(new URL(page.url()).origin, IDP, 'a wrong password was let through');
    }
    await page.getByLabel('Username').fill(login);
    await page.getByLabel('Password').fill(`${login}-pw`);
    if (shots) await shot(page, `${shots}-idp-sign-in`);
    // Sign in answers the IdP's self-submitting form (HTTP-POST binding):
    // wait for the page it ends on, on the site.
    const landed = page.waitForResponse((r) => r.url() === BASE + path && r.request().isNavigationRequest());
    await page.getByRole('button', { name: 'Sign in' }).click();
    const res = await landed;
    await page.waitForLoadState('load');
    assert.equal(res.status(), want, `${res.url()} answered ${res.status()}: ${await mainText(page)}`);
    assert.equal(page.url(), BASE + path, `the login ended on ${page.url()}`);
    const post = res.request().redirectedFrom();
    assert.ok(post, 'the page was not reached through a redirect');
    assert.equal(post.url(), ACS, 'the assertion did not go to /mellon/postResponse');
    assert.equal(post.method(), 'POST');
    assert.equal((await post.response()).status(), 303);
    const form = new URLSearchParams(post.postData() || '');
    assert.ok(form.get('SAMLResponse'), 'no SAMLResponse posted');
    assert.equal(form.get('RelayState'), BASE + path);

    // Mellon's session cookie, as site.conf sets it.
    const cookie = (await page.context().cookies(BASE)).find((c) => c.name === 'mellon-cookie');
    assert.ok(cookie, 'no mellon-cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Lax');
    return res;
}

async function deniedPage(page, login, what) {
    assert.match(await page.title(), /Access needed/);
    assert.equal(await heading(page), 'You need access');
    assert.match(await mainText(page), new RegExp(`You are signed in as ${login}, and you do not have ${what}\\.`));
}

const shot = (page, name) => saveShot(OUT, page, name);
const step = stepper(OUT, () => current);

// ---- the story ----

describe('SAML single sign-on', () => {
    before(async () => {
        mkdirSync(OUT, { recursive: true });
        for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));
        browser = await chromium.launch(LAUNCH);
    });

    after(async () => {
        for (const { context } of Object.values(people)) await context.close().catch(() => {});
        await browser?.close().catch(() => {});
    });

    step("00 Mellon's endpoints answer without a login; the rest of the site wants one", async () => {
        // The SP metadata, for the IdP's administrator: no session, no cookie.
        const meta = await fetch(`${BASE}/mellon/metadata`, { redirect: 'manual' });
        assert.equal(meta.status, 200, `/mellon/metadata answered ${meta.status}`);
        assert.match(meta.headers.get('content-type'), /^application\/samlmetadata\+xml/);
        const xml = await meta.text();
        assert.ok(xml.includes(`entityID="${SP_ENTITY_ID}"`), xml);
        assert.ok(xml.includes(`Location="${ACS}"`), xml);

        // A page of the site sends an anonymous browser to Mellon's login.
        const home = await fetch(`${BASE}/`, { redirect: 'manual' });
        assert.equal(home.status, 303);
        const to = new URL(home.headers.get('location'), BASE);
        assert.equal(to.origin + to.pathname, `${BASE}/mellon/login`);
        assert.equal(to.searchParams.get('ReturnTo'), `${BASE}/`);

        // Without the exemption (the control path of site.conf), mod_iam
        // refuses the same endpoint: Mellon's empty user is no user.
        const bare = await fetch(`${BASE}/control/mellon/metadata`, { redirect: 'manual' });
        assert.equal(bare.status, 401, `/control/mellon/metadata answered ${bare.status}`);
    });

    step('01 a first login through the IdP lands in the workspace', async () => {
        // nina is unknown to the workspace before she logs in.
        assert.throws(() => member('nina'), 'nina is already a member');

        const page = await pageOf('nina');
        await logInThroughIdP(page, 'nina', '/', 200, { tryWrong: true, shots: '01' });
        assert.equal(await heading(page), 'home');
        await shot(page, '01-home');
    });

    step("02 she is a Workspace Member with the assertion's attributes", async () => {
        const nina = member('nina');
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
        // No member was made of the transient NameID or of an empty login.
        const logins = JSON.parse(ctl('member', 'list', '--json')).map((m) => m.login);
        assert.ok(logins.every((l) => l && !l.startsWith('_')), `logins: ${logins}`);
    });

    step("03 she is refused the source checkout with mod_iam's page and asks for access", async () => {
        const page = await pageOf('nina');
        people.nina.toProvider.length = 0;
        const res = await navigate(page, () => page.goto(BASE + CHECKOUT, { waitUntil: 'load' }), 403);
        assert.equal(page.url(), BASE + CHECKOUT, 'the refusal went anywhere but the page');
        assert.match(res.headers()['content-type'], /^text\/html/);
        await deniedPage(page, 'nina', 'read access to the source checkout');
        const form = page.locator('form').filter({ has: page.locator('textarea[name="message"]') });
        assert.equal(await form.count(), 1, 'no request form');
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

    step('04 a member with a grant signs in straight to the resource', async () => {
        // rita reads every source through the analysts group.
        const page = await pageOf('rita');
        await logInThroughIdP(page, 'rita', CHECKOUT, 200, { shots: '04' });
        assert.equal(await heading(page), 'sources/checkout');
        await shot(page, '04-member-with-grant');
    });

    step("05 a member without one signs in to mod_iam's request-access page", async () => {
        const page = await pageOf('max');
        await logInThroughIdP(page, 'max', CHECKOUT, 403);
        await deniedPage(page, 'max', 'read access to the source checkout');
        assert.equal(await page.locator('textarea[name="message"]').count(), 1, 'no request form');
        await shot(page, '05-member-without-grant');
    });

    step('06 an invitation by email is taken up by the login that brings the address', async () => {
        assert.equal(member('ivy@corp.example').status, 'invited');
        assert.throws(() => member('ivy'), 'ivy is already a member');

        const page = await pageOf('ivy');
        await logInThroughIdP(page, 'ivy', '/sources/web/', 200);
        assert.equal(await heading(page), 'sources/web');
        await shot(page, '06-invitation-taken-up');

        const ivy = member('ivy');
        assert.equal(ivy.status, 'active');
        assert.equal(ivy.email, 'ivy@corp.example');
        assert.equal(ivy.name, 'Ivy Ito');
        assert.deepEqual(ivy.grants, [{ role: 'source-read-only', scope: 'resources', resources: ['web'] }]);
        assert.throws(() => member('ivy@corp.example'), 'the invitation is still there');
        const audit = JSON.parse(ctl('audit', '--json'));
        assert.ok(audit.some((a) => a.action === 'member.activate' && a.target === 'ivy'),
                  `no member.activate for ivy: ${JSON.stringify(audit.slice(0, 4))}`);
    });

    step('07 the owner signs in to the console and approves', async () => {
        const page = await pageOf('olivia');
        await logInThroughIdP(page, 'olivia', '/iam/', 200, { shots: '07' });
        assert.equal(await heading(page), 'Overview');
        assert.match(await page.locator('header').textContent(), /olivia · business plan/i);
        const rows = requestRows(page);
        assert.equal(await rows.count(), 1, `rows: ${await rows.allTextContents()}`);
        const row = rows.first();
        assert.ok(await row.getByRole('link', { name: 'nina', exact: true }).isVisible());
        assert.match(await row.textContent(), /read access to source checkout/);
        assert.ok((await row.textContent()).includes(MESSAGE));
        await shot(page, '07-owner-overview');

        // The button grants exactly what was asked for.
        await navigate(page, () => row.getByRole('button', { name: 'Grant Source Read-only on checkout', exact: true }).click());
        assert.equal((await page.getByRole('status').textContent()).trim(),
                     'Approved the request of nina: they have the access they asked for.');
        assert.equal(await requestRows(page).count(), 0);
        assert.deepEqual(member('nina').grants,
                         [{ role: 'source-read-only', scope: 'resources', resources: ['checkout'] }]);
    });

    step("08 nina's next request passes without a new login", async () => {
        const page = await pageOf('nina');
        people.nina.toProvider.length = 0;
        const res = await page.reload({ waitUntil: 'load' });
        assert.equal(res.status(), 200, `reload: ${res.status()}: ${await mainText(page)}`);
        assert.equal(page.url(), BASE + CHECKOUT);
        assert.equal(res.request().redirectedFrom(), null, 'the reload was redirected');
        assert.equal(await heading(page), 'sources/checkout');
        assert.deepEqual(people.nina.toProvider, [], 'the reload went to the IdP');
        await shot(page, '08-access-granted');
    });

    step('09 no server errors and nothing left 127.0.0.1', async () => {
        assert.deepEqual(serverErrors, []);
        assert.deepEqual(offsite, []);
    });

    step('10 the error log shows no empty login reaching mod_iam', async () => {
        const lines = readFileSync(ERROR_LOG, 'utf8').split('\n').filter(Boolean);
        const iam = lines.filter((l) => /\[iam:/.test(l));
        assert.ok(iam.some((l) => /allow user 'nina'/.test(l)), 'mod_iam logged no decision (is LogLevel iam:debug on?)');
        assert.deepEqual(lines.filter((l) => l.includes("cannot admit ''")), []);
        // mod_iam names the login in quotes: '' would be an empty one.
        assert.deepEqual(iam.filter((l) => l.includes("''")), []);
        assert.deepEqual(iam.filter((l) => /\[iam:(error|crit|alert|emerg)\]/.test(l)), []);
        // With the exemption, mod_iam is not even asked about Mellon's endpoints.
        assert.deepEqual(iam.filter((l) => / on \/(control\/)?mellon\//.test(l)), []);
        // Apache's "no authenticated user" refusal: only on the control path,
        // never on Mellon's real endpoints.
        const noUser = lines.filter((l) => /AH01629/.test(l));
        assert.ok(noUser.length > 0, 'the control request left no AH01629 line');
        assert.deepEqual(noUser.filter((l) => !l.includes('/control/mellon/metadata')), []);
    });
});
