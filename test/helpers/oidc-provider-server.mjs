/**
 * A real OpenID provider for the dashboard's OpenID Connect sign-in test: oidc-provider (panva's certified
 * implementation) with its development login and consent pages, in a process of its own (it is an ES module;
 * the tests run as CommonJS). Configured by the environment:
 *   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI,
 *   OIDC_ACCOUNTS  JSON { "<login>": { "email": "...", "email_verified": true } }
 * Any password signs a known login in. Prints "ready" once it listens.
 */
import Provider from 'oidc-provider';

const { OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_ACCOUNTS } = process.env;
const accounts = JSON.parse(OIDC_ACCOUNTS ?? '{}');

const provider = new Provider(`http://127.0.0.1:${OIDC_PORT}`, {
  clients: [
    {
      client_id: OIDC_CLIENT_ID,
      client_secret: OIDC_CLIENT_SECRET,
      redirect_uris: [OIDC_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  async findAccount(_ctx, sub) {
    const claims = accounts[sub];
    return claims && { accountId: sub, claims: async () => ({ sub, ...claims }) };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  features: { devInteractions: { enabled: true } },
});

provider.listen(Number(OIDC_PORT), '127.0.0.1', () => console.log('ready'));
