// A second, independent identity provider for the gateway: panva's oidc-provider (OpenID Certified), configured
// strictly: refresh tokens rotate on every use and a reused one revokes the grant; offline access (a refresh token)
// only with prompt=consent (OpenID Connect Core §11, the library's default); client_secret_basic enforced; opaque
// access tokens; revocation and back-channel logout on. Beside it, on API_PORT, a resource server that accepts an
// access token only while the provider still knows it (GET /api/whoami), as an API introspecting opaque tokens does.
//
// Environment: PORT (provider), API_PORT, GATEWAY_ORIGINS (comma-separated; their /signin-oidc and
// /signout-callback-oidc are registered, the first one's /bff/backchannel-logout gets logout tokens),
// CLIENT_ID, CLIENT_SECRET, ACCESS_TOKEN_SECONDS, USERS (name:password,...).
// GET /test/events on the provider's port answers counts the tests read (refreshes, reuses, revocations, logouts).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT ?? 5101);
const apiPort = Number(process.env.API_PORT ?? 5102);
const issuer = `http://127.0.0.1:${port}`;
const origins = (process.env.GATEWAY_ORIGINS ?? 'http://localhost:5000').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean);
const users = new Map((process.env.USERS ?? 'alice:alice').split(',').map((pair) => pair.split(':')));

const events = { refreshes: 0, reuses: 0, revocations: 0, backchannelLogouts: 0, backchannelErrors: 0, codes: 0, offlineGrants: 0 };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID ?? 'spa-bff',
    client_secret: process.env.CLIENT_SECRET ?? 'demo-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: origins.map((o) => `${o}/signin-oidc`),
    post_logout_redirect_uris: origins.map((o) => `${o}/signout-callback-oidc`),
    backchannel_logout_uri: `${origins[0]}/bff/backchannel-logout`,
    backchannel_logout_session_required: true,
  }],
  // Keys for this process only: cookies signed with them and nothing else lives past a restart.
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub', 'sid'], profile: ['name'] },
  scopes: ['openid', 'offline_access', 'profile'],
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  rotateRefreshToken: true,
  ttl: {
    AccessToken: Number(process.env.ACCESS_TOKEN_SECONDS ?? 60),
    RefreshToken: 24 * 60 * 60,
    IdToken: 60 * 60,
    Session: 24 * 60 * 60,
    Grant: 24 * 60 * 60,
    Interaction: 10 * 60,
  },
  findAccount: async (_ctx, id) => (users.has(id) ? { accountId: id, claims: async () => ({ sub: id, name: id }) } : undefined),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // The library refuses outgoing requests to loopback and private addresses (SSRF protection); the registered
  // gateways are on loopback here, so their exact origins are let through, and nothing else.
  fetch: (url, options) => {
    if (origins.includes(new URL(url).origin)) delete options.dispatcher;
    return globalThis.fetch(url, options);
  },
});

provider.on('grant.success', (ctx) => {
  if (ctx.oidc.params.grant_type === 'refresh_token') events.refreshes += 1;
  if (ctx.oidc.params.grant_type === 'authorization_code') {
    events.codes += 1;
    if (ctx.body?.refresh_token) events.offlineGrants += 1;
  }
});
provider.on('grant.error', (ctx, error) => {
  if (ctx.oidc?.params?.grant_type === 'refresh_token' && error.error === 'invalid_grant') events.reuses += 1;
});
provider.on('backchannel.success', () => { events.backchannelLogouts += 1; });
provider.on('backchannel.error', (_ctx, error) => {
  events.backchannelErrors += 1;
  console.error(`back-channel logout failed: ${error.message}`);
  events.lastBackchannelError = error.message;
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, body) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><body>${body}</body></html>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// The login and consent pages: a user-name and password form, then a consent form granting what was asked.
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session } = details;
  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const name = form.get('username');
    if (!users.has(name) || users.get(name) !== form.get('password')) {
      return page(res, `<p>Wrong user name or password.</p>${loginForm(uid)}`);
    }
    return provider.interactionFinished(req, res, { login: { accountId: name } }, { mergeWithLastSubmission: false });
  }
  if (action === 'consent' && req.method === 'POST') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (prompt.name === 'login') return page(res, loginForm(uid));
  return page(res, `<p>${escape(params.client_id)} asks for ${escape(params.scope)}.</p>
    <form method="post" action="/interaction/${escape(uid)}/consent"><button type="submit">Allow</button></form>`);
}

const loginForm = (uid) => `<form method="post" action="/interaction/${escape(uid)}/login">
  <input id="username" name="username" autocomplete="username"><input id="password" name="password" type="password">
  <button type="submit">Sign in</button></form>`;

const handle = provider.callback();
http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const match = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/.exec(url.pathname);
    if (match) return await interaction(req, res, match[1], match[2]);
    if (url.pathname === '/test/events') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(events));
    }
    if (url.pathname === '/token/revocation' && req.method === 'POST') {
      res.on('finish', () => { if (res.statusCode === 200) events.revocations += 1; });
    }
    return handle(req, res);
  } catch (error) {
    console.error(error);
    res.writeHead(500);
    return res.end();
  }
}).listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));

// The resource server: a bearer token is good only while the provider knows it and it has not expired.
http.createServer(async (req, res) => {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const accessToken = token ? await provider.AccessToken.find(token) : undefined;
  if (!accessToken || accessToken.isExpired) {
    res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
    return res.end();
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  return res.end(JSON.stringify({ sub: accessToken.accountId, path: req.url }));
}).listen(apiPort, '127.0.0.1', () => console.log(`resource server listening on http://127.0.0.1:${apiPort}`));
