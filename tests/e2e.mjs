// What the browser suites share (tests/browser, tests/oidc, tests/saml): how
// Chromium starts, how a step of a story runs, how a page is read and
// followed. Only node's own modules here: each suite has playwright-core in
// its own node_modules and passes the pages in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';

// Debian's chromium as this machine kind starts it: headless, no sandbox
// (tests may run as root), and none of its background traffic (the network
// is closed; only 127.0.0.1 is used).
export const LAUNCH = {
    executablePath: process.env.IAM_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
};

export const STEP_TIMEOUT = 30_000;

// A full-page screenshot, OUT/name.png.
export async function shot(out, page, name) {
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}

// The widths every console page is checked at: a laptop's and a phone's.
export const WIDTHS = [1280, 390];

// What reaches past the right edge of the window, if anything: the page's
// scrollWidth, the element that reaches furthest, and the innermost ones
// that overflow (none of their children does): usually the one to fix.
async function overflow(page) {
    return page.evaluate(() => {
        const inner = window.innerWidth, wide = document.documentElement.scrollWidth;
        if (wide <= inner + 1) return null;
        const over = [];
        for (const e of document.querySelectorAll('body *')) {
            const right = e.getBoundingClientRect().right + window.scrollX;
            if (right > inner + 1) over.push({ e, right });
        }
        over.sort((a, b) => b.right - a.right);
        const innermost = over.filter((x) => !over.some((y) => y.e !== x.e && x.e.contains(y.e)));
        const describe = ({ e, right }) => {
            const cls = typeof e.className === 'string' && e.className ? `.${e.className.trim().replace(/\s+/g, '.')}` : '';
            const text = (e.textContent || e.value || '').replace(/\s+/g, ' ').trim().slice(0, 60);
            return `<${e.tagName.toLowerCase()}${cls}> to ${Math.round(right)}px "${text}"`;
        };
        return { wide, widest: over.slice(0, 1).map(describe), innermost: innermost.slice(0, 3).map(describe) };
    });
}

// Screenshots of the page as it is, OUT/name-1280.png and OUT/name-390.png
// (full page), each checked for horizontal overflow: nothing may scroll
// sideways (html's scrollWidth within the window, +1 for rounding). The
// viewport is put back as it was. The console has no script of its own:
// a new width only lays the served page out again.
export async function shotWidths(out, page, name) {
    const was = page.viewportSize();
    const over = [];
    try {
        for (const width of WIDTHS) {
            await page.setViewportSize({ width, height: was.height });
            await page.screenshot({ path: join(out, `${name}-${width}.png`), fullPage: true });
            const o = await overflow(page);
            if (o)
                over.push(`at ${width}px wide the page is ${o.wide}px wide; furthest right: ${o.widest}; ` +
                          `innermost: ${o.innermost.join('; ')}`);
        }
    } finally {
        await page.setViewportSize(was);
    }
    assert.deepEqual(over, [], `${page.url()} scrolls sideways (${name})`);
}

// The page's <main> (the body where there is none), without waiting for it.
export async function mainText(page) {
    return page.evaluate(() => (document.querySelector('main') || document.body)?.textContent || '')
        .catch(() => '');
}

export async function heading(page) {
    return (await page.getByRole('heading', { level: 1 }).textContent()).trim();
}

// Runs `act` (a click that submits a form, or a page.goto) and waits for the
// page it leads to, through any redirects; `want` is that page's status.
export async function navigate(page, act, want = 200) {
    const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), act()]);
    assert.ok(res, 'the action loaded no page');
    assert.equal(res.status(), want, `${res.url()} answered ${res.status()}: ${await mainText(page)}`);
    return res;
}

// The Role, Resources and From cells of a row of a permissions table, as
// shown (the last cell holds the row's buttons and its edit form, whose
// options name every scope: a match on the whole row proves little).
export async function grantCells(row) {
    return (await row.getByRole('cell').allTextContents()).slice(0, 3).map((t) => t.trim());
}

// The open access requests of a console page (each can be dismissed).
export function requestRows(page) {
    return page.getByRole('main').getByRole('row').filter({ has: page.getByRole('button', { name: 'Dismiss' }) });
}

// A browser context that logs in with Basic auth as `login` (password
// LOGIN-pw, the demo's) at `base`, 1280 pixels wide, whose requests must
// all go to 127.0.0.1: any other is blocked and listed in `offsite`.
export async function basicContext(browser, base, login, offsite) {
    const context = await browser.newContext({
        httpCredentials: { username: login, password: `${login}-pw`, origin: base },
        viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(10_000);
    await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === '127.0.0.1') return route.continue();
        offsite.push(u.href);
        return route.abort('blockedbyclient');
    });
    return context;
}

// One person of an SSO story: a browser context of their own whose requests
// must all go to 127.0.0.1 (any other is blocked and listed in `offsite`);
// what they send to the identity provider at `provider` is listed in
// me.toProvider, and any 5xx answer in `serverErrors`. IAM_TRACE=1 logs
// every request to stderr.
export async function openPerson(browser, login, { provider, offsite, serverErrors }) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const me = { context, toProvider: [] };
    await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.hostname !== '127.0.0.1') {
            offsite.push(u.href);
            return route.abort('blockedbyclient');
        }
        if (u.origin === provider) me.toProvider.push(`${route.request().method()} ${u.pathname}`);
        return route.continue();
    });
    me.page = await context.newPage();
    if (process.env.IAM_TRACE) {
        const t0 = Date.now();
        me.page.on('request', (q) => console.error(`${Date.now() - t0} ${login} > ${q.method()} ${q.url()}`));
        me.page.on('requestfinished', (q) => console.error(`${Date.now() - t0} ${login} < ${q.url()}`));
        me.page.on('requestfailed', (q) => console.error(`${Date.now() - t0} ${login} X ${q.url()} ${q.failure()?.errorText}`));
        me.page.on('load', () => console.error(`${Date.now() - t0} ${login} load ${me.page.url()}`));
    }
    me.page.on('response', (res) => {
        if (res.status() >= 500) serverErrors.push(`${login}: ${res.status()} ${res.request().method()} ${res.url()}`);
    });
    return me;
}

// The steps of a story build on each other: after the first failure the
// rest are skipped, and the failing step's page (`pageNow()`) is saved as
// OUT/failed-STEP.png.
export function stepper(out, pageNow) {
    let failed = false;
    return function step(name, fn) {
        test(name, { timeout: STEP_TIMEOUT }, async (t) => {
            if (failed) return t.skip('an earlier step failed');
            try {
                await fn(t);
            } catch (e) {
                failed = true;
                const page = pageNow();
                if (page)
                    await shot(out, page, `failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`)
                        .catch(() => {});
                throw e;
            }
        });
    };
}
