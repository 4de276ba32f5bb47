/**
 * Keystone auth of the config API client against the emulator's Keystone
 * mode (real HTTP on loopback): token obtained and sent, renewed once on 401,
 * refused credentials reported with the URL and without the password.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configApiSchema } from '../../lib/config/lab-schema.ts';
import { loadLabFile } from '../../lib/config/load-lab.ts';
import { ConfigApiClient } from '../../lib/contrail/config-api-client.ts';
import { ContrailHttpError } from '../../lib/contrail/http-request.ts';
import { clearSecrets } from '../../lib/log/redact.ts';
import { ConfigApiServer } from '../../sim/control-node/config-api-server.ts';
import { ConfigStore } from '../../sim/control-node/config-store.ts';

const PASSWORD = 'cfg-Secret-4821';

async function errorOf(p: Promise<unknown>): Promise<ContrailHttpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ContrailHttpError);
    return err as ContrailHttpError;
  }
  throw new Error('expected the call to fail');
}

describe('config API client with Keystone auth', () => {
  const securedStore = new ConfigStore();
  const secured = new ConfigApiServer(securedStore, { username: 'admin', password: PASSWORD });
  const open = new ConfigApiServer(new ConfigStore());
  let securedUrl: string;
  let openUrl: string;

  beforeAll(async () => {
    await secured.start('127.0.0.1', 0);
    await open.start('127.0.0.1', 0);
    securedUrl = `http://127.0.0.1:${secured.port}`;
    openUrl = `http://127.0.0.1:${open.port}`;
  });
  afterAll(async () => {
    await Promise.all([secured.stop(), open.stop()]);
    clearSecrets();
  });
  afterEach(() => {
    secured.tokenRequests = 0;
    open.tokenRequests = 0;
  });

  const labEntry = (password: string, url = securedUrl) =>
    configApiSchema.parse({
      host: 'a2s40',
      url,
      authUrl: url,
      username: 'admin',
      password,
      project: 'admin',
    });

  it('the secured emulator answers 401 without a valid token, and 201 with X-Subject-Token to the password', async () => {
    expect((await fetch(`${securedUrl}/virtual-networks`)).status).toBe(401);
    const bad = await fetch(`${securedUrl}/virtual-networks`, { headers: { 'x-auth-token': 'made-up' } });
    expect(bad.status).toBe(401);
    const issued = await fetch(`${securedUrl}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'admin', password: PASSWORD } } },
        },
      }),
    });
    expect(issued.status).toBe(201);
    const token = issued.headers.get('x-subject-token');
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const ok = await fetch(`${securedUrl}/virtual-networks`, { headers: { 'x-auth-token': token! } });
    expect(ok.status).toBe(200);
  });

  it('obtains one token from the lab entry and sends it on every call', async () => {
    const api = ConfigApiClient.fromLab(labEntry(PASSWORD), { project: 'admin' });
    const vn = await api.createVirtualNetwork('auth-blue');
    expect(vn.fqName).toEqual(['default-domain', 'admin', 'auth-blue']);
    expect((await api.listVirtualNetworks()).map((v) => v.uuid)).toContain(vn.uuid);
    await api.deleteVirtualNetwork(vn.uuid);
    expect(secured.tokenRequests).toBe(1);
  });

  it('parallel first calls share one token request', async () => {
    const api = ConfigApiClient.fromLab(labEntry(PASSWORD));
    await Promise.all([api.listVirtualNetworks(), api.listVirtualNetworks(), api.listVirtualNetworks()]);
    expect(secured.tokenRequests).toBe(1);
  });

  it('re-authenticates once when the token is refused with 401, then goes on', async () => {
    const api = ConfigApiClient.fromLab(labEntry(PASSWORD));
    await api.listVirtualNetworks();
    secured.revokeTokens();
    await api.listVirtualNetworks();
    expect(secured.tokenRequests).toBe(2);
    await api.listVirtualNetworks();
    expect(secured.tokenRequests).toBe(2);
  });

  it('a 401 that persists after the fresh token fails, without a third token request', async () => {
    // Tokens come from one Keystone, the calls go to a config API that trusts another one.
    const elsewhere = new ConfigApiServer(new ConfigStore(), { username: 'admin', password: PASSWORD });
    await elsewhere.start('127.0.0.1', 0);
    try {
      const api = new ConfigApiClient(`http://127.0.0.1:${elsewhere.port}`, {
        keystone: { authUrl: securedUrl, username: 'admin', password: PASSWORD },
      });
      const err = await errorOf(api.listVirtualNetworks());
      expect(err.status).toBe(401);
      expect(err.message).toContain(`GET http://127.0.0.1:${elsewhere.port}/virtual-networks -> 401`);
      expect(err.message).toContain('fresh Keystone token of user admin');
      expect(secured.tokenRequests).toBe(2);
      expect(elsewhere.tokenRequests).toBe(0);
    } finally {
      await elsewhere.stop();
    }
  });

  it('a wrong password fails with the tokens URL and status, never the password', async () => {
    const wrong = 'wrong-Secret-9034';
    const api = ConfigApiClient.fromLab(labEntry(wrong));
    const err = await errorOf(api.createVirtualNetwork('never'));
    expect(err.status).toBe(401);
    expect(err.url).toBe(`${securedUrl}/v3/auth/tokens`);
    expect(err.message).toContain(`POST ${securedUrl}/v3/auth/tokens -> 401`);
    expect(err.message).toContain('Keystone refused user admin (project admin, domain Default)');
    const shown = `${err.message}\n${err.stack ?? ''}\n${err.body}\n${JSON.stringify(err)}`;
    expect(shown).not.toContain(wrong);
    expect(shown).not.toContain(PASSWORD);
    expect(err.message).not.toContain('***');
    expect(securedStore.virtualNetworks.size).toBe(0);
  });

  it('without authUrl the client makes no token request and sends no token', async () => {
    const entry = (url: string) =>
      configApiSchema.parse({ host: 'a2s40', url, username: 'admin', password: PASSWORD });
    const vn = await ConfigApiClient.fromLab(entry(openUrl)).createVirtualNetwork('open-green');
    await ConfigApiClient.fromLab(entry(openUrl)).deleteVirtualNetwork(vn.uuid);
    const err = await errorOf(ConfigApiClient.fromLab(entry(securedUrl)).listVirtualNetworks());
    expect(err.status).toBe(401);
    expect(open.tokenRequests).toBe(0);
    expect(secured.tokenRequests).toBe(0);
  });

  it('the lab schema requires username and password with authUrl, naming the key', () => {
    const r = configApiSchema.safeParse({ host: 'a2s40', url: openUrl, authUrl: openUrl, username: 'admin' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['password', 'expected the Keystone password because authUrl is set'],
    ]);
  });

  it('labs/example-contrail.yaml carries the Keystone entry with the password from the environment', () => {
    const lab = loadLabFile('labs/example-contrail.yaml', {
      LAB_SSH_PASSWORD: 'x-pass-1',
      CONFIG_API_PASSWORD: 'cfg-from-env',
    });
    expect(lab.config.configApi).toMatchObject({
      authUrl: 'http://10.84.7.40:5000',
      username: 'admin',
      password: 'cfg-from-env',
      project: 'admin',
      authProject: 'admin',
      authDomain: 'Default',
    });
  });
});
