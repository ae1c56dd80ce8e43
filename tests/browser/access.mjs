// Access checks for the browser suites: real requests to the demo site as
// a member (Basic auth, password "<login>-pw" as conf/demo/seed sets),
// outside the browser, so that what the console changed is checked where
// it matters: at the door.
import assert from 'node:assert/strict';

export function accessChecks(base) {
    async function status(login, path, method = 'GET') {
        const res = await fetch(base + path, {
            method,
            redirect: 'manual',
            headers: {
                Authorization: 'Basic ' + Buffer.from(`${login}:${login}-pw`).toString('base64'),
                ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
            },
            body: method === 'POST' ? 'x=1' : undefined,
        });
        await res.arrayBuffer();
        return res.status;
    }

    async function expectAccess(login, path, want, method = 'GET') {
        const got = await status(login, path, method);
        assert.equal(got, want, `${method} ${path} as ${login}: got ${got}, want ${want}`);
    }

    // A request that authorization let through: anything but 401/403 (a POST
    // to a static page is let in, then refused by Apache's handler with 405).
    async function expectAllowed(login, path, method = 'GET') {
        const got = await status(login, path, method);
        assert.ok(got !== 401 && got !== 403 && got < 500,
                  `${method} ${path} as ${login}: got ${got}, want it authorized`);
    }

    return { status, expectAccess, expectAllowed };
}
