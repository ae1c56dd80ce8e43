// A real OpenID Provider on 127.0.0.1 for the single sign-on test: the npm
// package oidc-provider (an OpenID Certified implementation) with one
// confidential client (mod_auth_openidc in front of mod_iam), two accounts,
// and its own small sign-in and consent pages (the package's
// devInteractions accept any login without a password: these check one).
//
// Environment (set by ./run):
//   OP_PORT           the port to listen on (127.0.0.1 only); the issuer
//                     is http://127.0.0.1:OP_PORT
//   OP_CLIENT_ID      the client's id
//   OP_CLIENT_SECRET  its secret (client_secret_basic at the token endpoint)
//   OP_REDIRECT_URI   its one redirect URI (mod_auth_openidc's OIDCRedirectURI)
// Prints "op ready ISSUER" on stdout once it listens.
//
// Plain http on loopback needs nothing special in this version: a "web"
// client may register http redirect URIs unless it uses the implicit flow,
// and the cookies are only marked Secure on https. What is set on purpose:
//   - claims: the email and profile scopes map to email/name/
//     preferred_username;
//   - conformIdTokenClaims: false, so that those claims are in the ID token
//     itself (by default a code flow puts them only in the userinfo answer);
//   - features.userinfo off, so the relying party cannot get them elsewhere:
//     what mod_iam sees comes from the ID token;
//   - a fresh RS256 signing key each run (instead of the package's
//     development keys), random cookie keys, devInteractions off.
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const PORT = Number(process.env.OP_PORT);
const CLIENT_ID = process.env.OP_CLIENT_ID || 'mod-iam';
const CLIENT_SECRET = process.env.OP_CLIENT_SECRET;
const REDIRECT_URI = process.env.OP_REDIRECT_URI;
if (!PORT || !CLIENT_SECRET || !REDIRECT_URI)
    throw new Error('OP_PORT, OP_CLIENT_SECRET and OP_REDIRECT_URI must be set (start this with ./run)');

const ISSUER = `http://127.0.0.1:${PORT}`;

// The identity provider's users (passwords are "<id>-pw").
const ACCOUNTS = {
    nina: { email: 'nina@corp.example', name: 'Nina New', preferred_username: 'nina' },
    olivia: { email: 'olivia@example.com', name: 'Olivia Owner', preferred_username: 'olivia' },
};

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(ISSUER, {
    clients: [{
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [{ ...key, use: 'sig', alg: 'RS256', kid: 'test-' + randomBytes(4).toString('hex') }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['name', 'preferred_username'],
    },
    conformIdTokenClaims: false,
    features: {
        devInteractions: { enabled: false },
        userinfo: { enabled: false },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
        const account = Object.hasOwn(ACCOUNTS, id) ? ACCOUNTS[id] : null;
        if (!account) return undefined;
        return {
            accountId: id,
            async claims() {
                return { sub: id, email_verified: true, ...account };
            },
        };
    },
    ttl: {
        AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600,
    },
    renderError(ctx, out, error) {
        ctx.type = 'html';
        ctx.body = page('Error', `<h1>Sign-in failed</h1><p>${esc(out.error)}: ${esc(out.error_description || '')}</p>`);
    },
});
provider.on('server_error', (ctx, err) => console.error('op: server_error', err));

// ---- the sign-in and consent pages ----

function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - Test IdP</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#eef1f5;margin:0}
main{max-width:360px;margin:60px auto;background:#fff;padding:24px 28px;border-radius:8px;box-shadow:0 1px 4px #0003}
label{display:block;margin:12px 0 4px}input{width:100%;box-sizing:border-box;padding:6px}
button{margin-top:16px;padding:8px 16px}.err{color:#b00020}.idp{color:#666;font-size:13px}</style></head>
<body><main><p class="idp">Test IdP (oidc-provider) · ${esc(ISSUER)}</p>${body}</main></body></html>`;
}

function loginForm(uid, clientId, error) {
    return page('Sign-in', `<h1>Sign in</h1><p>to continue to <b>${esc(clientId)}</b></p>
${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="login">Username</label><input id="login" name="login" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`);
}

function consentForm(uid, clientId, scopes, claims) {
    return page('Authorize', `<h1>Authorize</h1><p><b>${esc(clientId)}</b> asks for:</p>
<ul>${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}${claims.map((c) => `<li>claim ${esc(c)}</li>`).join('')}</ul>
<form method="post" action="/interaction/${esc(uid)}/confirm"><button type="submit">Allow</button></form>
<p><a href="/interaction/${esc(uid)}/abort">Cancel</a></p>`);
}

function passwordOk(id, password) {
    if (!Object.hasOwn(ACCOUNTS, id)) return false;
    const want = Buffer.from(`${id}-pw`);
    const got = Buffer.from(String(password));
    return got.length === want.length && timingSafeEqual(got, want);
}

async function readForm(req) {
    let body = '';
    for await (const chunk of req) {
        body += chunk;
        if (body.length > 10_000) throw new Error('form too large');
    }
    return new URLSearchParams(body);
}

function send(res, status, html) {
    res.writeHead(status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(html),
    });
    res.end(html);
}

async function interaction(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, page('Error', '<h1>Stale sign-in</h1>'));
    const { prompt, params, session, grantId } = details;

    if (req.method === 'GET' && !action) {
        if (prompt.name === 'login') return send(res, 200, loginForm(uid, params.client_id));
        if (prompt.name === 'consent') {
            const d = prompt.details;
            return send(res, 200, consentForm(uid, params.client_id, d.missingOIDCScope || [],
                                              d.missingOIDCClaims || []));
        }
        return send(res, 501, page('Error', `<h1>Unknown prompt ${esc(prompt.name)}</h1>`));
    }
    if (req.method === 'GET' && action === 'abort') {
        return provider.interactionFinished(req, res, {
            error: 'access_denied', error_description: 'End-User aborted interaction',
        }, { mergeWithLastSubmission: false });
    }
    if (req.method === 'POST' && action === 'login' && prompt.name === 'login') {
        const form = await readForm(req);
        const login = form.get('login') || '';
        if (!passwordOk(login, form.get('password') || ''))
            return send(res, 200, loginForm(uid, params.client_id, 'Wrong username or password.'));
        return provider.interactionFinished(req, res, { login: { accountId: login } },
                                            { mergeWithLastSubmission: false });
    }
    if (req.method === 'POST' && action === 'confirm' && prompt.name === 'consent') {
        await readForm(req);
        const grant = grantId ? await provider.Grant.find(grantId)
                              : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
        const d = prompt.details;
        if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
        if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
        if (d.missingResourceScopes)
            for (const [indicator, scope] of Object.entries(d.missingResourceScopes))
                grant.addResourceScope(indicator, scope.join(' '));
        return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
                                            { mergeWithLastSubmission: true });
    }
    return send(res, 400, page('Error', '<h1>Unexpected request</h1>'));
}

const callback = provider.callback();
const server = createServer((req, res) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/.exec(req.url.split('?')[0]);
    if (!m) return callback(req, res);
    interaction(req, res, m[1], m[2]).catch((err) => {
        console.error('op: interaction error', err);
        if (!res.headersSent) send(res, 400, page('Error', `<h1>Sign-in failed</h1><p>${esc(err.message)}</p>`));
        else res.end();
    });
});
server.listen(PORT, '127.0.0.1', () => console.log(`op ready ${ISSUER}`));

for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
        server.close();
        server.closeAllConnections();
        process.exit(0);
    });
}
