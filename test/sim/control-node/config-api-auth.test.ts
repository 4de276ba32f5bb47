/**
 * The emulated control node's Keystone mode, as a real process: credentials
 * from NETSCALE_SIM_CONFIG_API_AUTH, tokens from /v3/auth/tokens on the
 * config API port, 401 without one; a malformed value fails without echoing it.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigApiClient } from '../../../lib/contrail/config-api-client.ts';
import { ContrailHttpError } from '../../../lib/contrail/http-request.ts';
import { CONTROL_NODE_LAUNCHER } from '../../../lib/lab/embedded-control-node.ts';

const PORTS = ['--xmpp-port=0', '--introspect-port=0', '--config-api-port=0'];

/** Starts the control node; resolves with its ready line's ports, or with its exit code and stderr. */
function startNode(authEnv: string) {
  const child = spawn(CONTROL_NODE_LAUNCHER, [...PORTS, `--exit-with-parent=${process.pid}`], {
    env: { ...process.env, NETSCALE_SIM_CONFIG_API_AUTH: authEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const result = new Promise<{ configApiPort?: number; code?: number | null; stderr: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line within 15 s: ${err}`)), 15_000);
      child.stdout.on('data', () => {
        const m = /ready (\{.*\})/.exec(out);
        if (!m) return;
        clearTimeout(timer);
        resolve({
          configApiPort: (JSON.parse(m[1]!) as { configApiPort: number }).configApiPort,
          stderr: err,
        });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr: err });
      });
    },
  );
  const stop = () => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
  };
  return { result, stop };
}

describe('control node emulator --config-api-auth', () => {
  it('requires a Keystone token on the config API and issues one for the configured user', async () => {
    const node = startNode('admin:pa:ss-Secret-5150');
    try {
      const { configApiPort } = await node.result;
      const url = `http://127.0.0.1:${configApiPort}`;
      const anonymous = await new ConfigApiClient(url).listVirtualNetworks().catch((e: unknown) => e);
      expect(anonymous).toBeInstanceOf(ContrailHttpError);
      expect((anonymous as ContrailHttpError).status).toBe(401);
      const api = new ConfigApiClient(url, {
        project: 'admin',
        keystone: { authUrl: url, username: 'admin', password: 'pa:ss-Secret-5150' },
      });
      const vn = await api.createVirtualNetwork('tok-red');
      expect(await api.fqNameToId('virtual-network', vn.fqName)).toBe(vn.uuid);
    } finally {
      node.stop();
    }
  });

  it('refuses a value without a user or a password and does not echo it', async () => {
    const { code, stderr } = await startNode('Secret-only-7788:').result;
    expect(code).toBe(2);
    expect(stderr).toContain('--config-api-auth: expected user:password');
    expect(stderr).not.toContain('Secret-only-7788');
  });
});
