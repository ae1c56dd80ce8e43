// A SAML 2.0 identity provider on 127.0.0.1 for the single sign-on test:
// the npm package samlp (the IdP side of the Web Browser SSO profile, the
// library the saml-idp package is built on) mints and signs the assertions;
// this file is its small HTTP front with one service provider
// (mod_auth_mellon in front of mod_iam), a few accounts and a sign-in page
// that checks a password.
//
// Environment (set by ./run):
//   IDP_PORT        the port to listen on (127.0.0.1 only); the IdP's
//                   entityID is http://127.0.0.1:IDP_PORT/metadata
//   IDP_KEY         its signing key (PEM file)
//   IDP_CERT        its certificate (PEM file)
//   SP_ENTITY_ID    the one service provider's entityID
//   SP_ACS_URL      its AssertionConsumerService (HTTP-POST binding)
//   SP_CERT         its certificate: AuthnRequests must be signed with it
// Prints "idp ready URL" on stdout once it listens.
//
// Endpoints:
//   GET  /metadata    the IdP's metadata (for MellonIdPMetadataFile)
//   GET  /sso         SingleSignOnService, HTTP-Redirect binding: checks the
//                     AuthnRequest (signature over the query as sent,
//                     issuer, ACS URL) and sends the browser to /login/UID
//   GET  /login/UID   the sign-in form for that request
//   POST /login/UID   checks the password; answers the HTTP-POST binding:
//                     a form that posts SAMLResponse and RelayState to the
//                     ACS (it submits itself)
// The assertion's subject is a transient NameID (a new one for each login);
// the login travels in the attribute uid, with mail and displayName.
import { createHash, randomBytes, timingSafeEqual, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import samlp from 'samlp';

const PORT = Number(process.env.IDP_PORT);
const KEY = process.env.IDP_KEY && readFileSync(process.env.IDP_KEY, 'utf8');
const CERT = process.env.IDP_CERT && readFileSync(process.env.IDP_CERT, 'utf8');
const SP_ENTITY_ID = process.env.SP_ENTITY_ID;
const SP_ACS_URL = process.env.SP_ACS_URL;
const SP_CERT = process.env.SP_CERT && new X509Certificate(readFileSync(process.env.SP_CERT));
if (!PORT || !KEY || !CERT || !SP_ENTITY_ID || !SP_ACS_URL || !SP_CERT)
    throw new Error('IDP_PORT, IDP_KEY, IDP_CERT, SP_ENTITY_ID, SP_ACS_URL and SP_CERT must be set (start this with ./run)');

const BASE = `http://127.0.0.1:${PORT}`;
const ENTITY_ID = `${BASE}/metadata`;
const SSO_URL = `${BASE}/sso`;
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

// The identity provider's users (passwords are "<uid>-pw"). olivia, rita
// and max are members of the demo store; nina is unknown to it; ivy was
// invited by email (ivy@corp.example) under no login.
const ACCOUNTS = {
    nina: { mail: 'nina@corp.example', displayName: 'Nina New' },
    olivia: { mail: 'olivia@example.com', displayName: 'Olivia Owner' },
    rita: { mail: 'rita@example.com', displayName: 'Rita Reader' },
    max: { mail: 'max@example.com', displayName: 'Max Member' },
    ivy: { mail: 'ivy@corp.example', displayName: 'Ivy Ito' },
};

// AuthnRequests waiting for their sign-in: UID -> { id, relayState, at }.
const pending = new Map();
const PENDING_TTL = 600_000;

// ---- pages ----

function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body, extra = '') {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - Test SAML IdP</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#f1eef5;margin:0}
main{max-width:360px;margin:60px auto;background:#fff;padding:24px 28px;border-radius:8px;box-shadow:0 1px 4px #0003}
label{display:block;margin:12px 0 4px}input{width:100%;box-sizing:border-box;padding:6px}
button{margin-top:16px;padding:8px 16px}.err{color:#b00020}.idp{color:#666;font-size:13px}</style>${extra}</head>
<body><main><p class="idp">Test SAML IdP (samlp) · ${esc(ENTITY_ID)}</p>${body}</main></body></html>`;
}

function loginForm(uid, error) {
    return page('Sign-in', `<h1>Sign in</h1><p>to continue to <b>${esc(SP_ENTITY_ID)}</b></p>
${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/login/${esc(uid)}" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`);
}

// The HTTP-POST binding: the browser carries the response to the ACS.
function postForm(samlResponse, relayState) {
    return page('Signing in', `<h1>Signing in…</h1>
<form method="post" action="${esc(SP_ACS_URL)}">
<input type="hidden" name="SAMLResponse" value="${esc(samlResponse)}">
${relayState !== undefined ? `<input type="hidden" name="RelayState" value="${esc(relayState)}">` : ''}
<noscript><button type="submit">Continue</button></noscript></form>
<script>document.forms[0].submit()</script>`);
}

function metadata() {
    const der = CERT.replace(/-----[^-]+-----|\s/g, '');
    return `<?xml version="1.0" encoding="UTF-8"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${esc(ENTITY_ID)}">
  <IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </KeyDescriptor>
    <NameIDFormat>${TRANSIENT}</NameIDFormat>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(SSO_URL)}"/>
  </IDPSSODescriptor>
</EntityDescriptor>
`;
}

function send(res, status, body, type = 'text/html; charset=utf-8', headers = {}) {
    res.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(body),
        ...headers,
    });
    res.end(body);
}

function fail(res, status, message) {
    console.error(`idp: ${status} ${message}`);
    send(res, status, page('Error', `<h1>Sign-in failed</h1><p role="alert">${esc(message)}</p>`));
}

async function readForm(req) {
    let body = '';
    for await (const chunk of req) {
        body += chunk;
        if (body.length > 10_000) throw new Error('form too large');
    }
    return new URLSearchParams(body);
}

function passwordOk(uid, password) {
    if (!Object.hasOwn(ACCOUNTS, uid)) return false;
    const want = createHash('sha256').update(`${uid}-pw`).digest();
    const got = createHash('sha256').update(String(password)).digest();
    return timingSafeEqual(got, want);
}

// ---- the SAML side ----

// The HTTP-Redirect binding's signature covers the query's parameters as
// they were sent (still URL-encoded), in the order SAMLRequest, RelayState,
// SigAlg (SAML bindings 3.4.4.1).
const SIG_ALGS = {
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'sha256',
    'http://www.w3.org/2000/09/xmldsig#rsa-sha1': 'sha1',
};

function redirectSignatureOk(rawQuery, params) {
    const alg = SIG_ALGS[params.get('SigAlg')];
    const signature = params.get('Signature');
    if (!alg || !signature) return false;
    const raw = new Map();
    for (const part of rawQuery.split('&')) {
        const eq = part.indexOf('=');
        if (eq > 0) raw.set(part.slice(0, eq), part);
    }
    const signed = ['SAMLRequest', 'RelayState', 'SigAlg'].filter((n) => raw.has(n)).map((n) => raw.get(n)).join('&');
    return verify(alg, Buffer.from(signed), SP_CERT.publicKey, Buffer.from(signature, 'base64'));
}

function parseRequest(params) {
    return new Promise((resolve, reject) => {
        samlp.parseRequest({ query: Object.fromEntries(params), body: {} }, (err, data) => (err ? reject(err) : resolve(data)));
    });
}

async function sso(req, res, url) {
    const rawQuery = url.search.slice(1);
    const params = url.searchParams;
    if (!params.get('SAMLRequest')) return fail(res, 400, 'no SAMLRequest');
    if (!redirectSignatureOk(rawQuery, params)) return fail(res, 400, 'the AuthnRequest is not signed by the service provider');
    const data = await parseRequest(params);
    if (!data || !data.id) return fail(res, 400, 'not an AuthnRequest');
    if (data.issuer !== SP_ENTITY_ID) return fail(res, 400, `unknown service provider ${data.issuer}`);
    if (data.assertionConsumerServiceURL && data.assertionConsumerServiceURL !== SP_ACS_URL)
        return fail(res, 400, `unknown AssertionConsumerServiceURL ${data.assertionConsumerServiceURL}`);
    if (data.destination && data.destination !== SSO_URL) return fail(res, 400, `wrong Destination ${data.destination}`);
    const now = Date.now();
    for (const [uid, p] of pending) if (now - p.at > PENDING_TTL) pending.delete(uid);
    const uid = randomBytes(12).toString('base64url');
    pending.set(uid, { id: data.id, relayState: params.get('RelayState') ?? undefined, at: now });
    console.log(`idp: AuthnRequest ${data.id} from ${data.issuer} -> /login/${uid}`);
    send(res, 303, '', 'text/plain', { Location: `/login/${uid}` });
}

function samlResponse(uid, inResponseTo) {
    const account = ACCOUNTS[uid];
    return new Promise((resolve, reject) => {
        samlp.getSamlResponse({
            issuer: ENTITY_ID,
            cert: CERT,
            key: KEY,
            audience: SP_ENTITY_ID,
            recipient: SP_ACS_URL,
            destination: SP_ACS_URL,
            inResponseTo,
            signatureAlgorithm: 'rsa-sha256',
            digestAlgorithm: 'sha256',
            signResponse: true,
            lifetimeInSeconds: 300,
            sessionIndex: '_' + randomBytes(16).toString('hex'),
            authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
            profileMapper: () => ({
                getClaims: () => ({ uid, mail: account.mail, displayName: account.displayName }),
                getNameIdentifier: () => ({
                    nameIdentifier: '_' + randomBytes(16).toString('hex'),
                    nameIdentifierFormat: TRANSIENT,
                }),
            }),
        }, uid, (err, xml) => (err ? reject(err) : resolve(Buffer.from(xml).toString('base64'))));
    });
}

async function login(req, res, uid) {
    const request = pending.get(uid);
    if (!request) return fail(res, 400, 'this sign-in has expired: go back to the site and try again');
    if (req.method === 'GET') return send(res, 200, loginForm(uid));
    const form = await readForm(req);
    const user = form.get('username') || '';
    if (!passwordOk(user, form.get('password') || '')) return send(res, 200, loginForm(uid, 'Wrong username or password.'));
    pending.delete(uid);
    console.log(`idp: ${user} signed in for ${request.id}`);
    send(res, 200, postForm(await samlResponse(user, request.id), request.relayState));
}

const server = createServer((req, res) => {
    const url = new URL(req.url, BASE);
    let done;
    const m = /^\/login\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/metadata')
        done = send(res, 200, metadata(), 'application/samlmetadata+xml');
    else if (req.method === 'GET' && url.pathname === '/sso') done = sso(req, res, url);
    else if (m && (req.method === 'GET' || req.method === 'POST')) done = login(req, res, m[1]);
    else done = fail(res, 404, `no such page: ${req.method} ${url.pathname}`);
    Promise.resolve(done).catch((err) => {
        console.error('idp: error', err);
        if (!res.headersSent) fail(res, 400, err.message);
        else res.end();
    });
});
server.listen(PORT, '127.0.0.1', () => console.log(`idp ready ${BASE}`));

for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
        server.close();
        server.closeAllConnections();
        process.exit(0);
    });
}
