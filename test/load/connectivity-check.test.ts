import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../lib/hosts/host.ts';
import { LocalHost } from '../../lib/hosts/local-host.ts';
import {
  checkConnectivity,
  ConnectivityError,
  sampleSources,
  type ConnectTool,
} from '../../lib/load/connectivity-check.ts';
import { freePort } from '../support/free-port.ts';

const host = new LocalHost({ name: 'ts-local', runTag: `connectivity-test-${process.pid}` });
const onThisMachine = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** The host with PATH replaced: which tools the check finds is then the test's choice. */
function withPath(h: Host, searchPath: string): Host {
  return {
    name: h.name,
    address: h.address,
    exec: (command, opts = {}) => h.exec(command, { ...opts, env: { ...opts.env, PATH: searchPath } }),
    spawn: (command, opts) => h.spawn(command, opts),
    put: (a, b) => h.put(a, b),
    get: (a, b) => h.get(a, b),
    writeFile: (p, c) => h.writeFile(p, c),
    readFile: (p) => h.readFile(p),
    close: () => h.close(),
  };
}

/** Message of the error `p` rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<ConnectivityError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectivityError);
  return err as ConnectivityError;
}

describe('sampleSources', () => {
  it('takes the first, the last and evenly spaced addresses between', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `127.1.0.${i + 1}`);
    expect(sampleSources(ten, 4)).toEqual(['127.1.0.1', '127.1.0.4', '127.1.0.7', '127.1.0.10']);
    expect(sampleSources(ten, 2)).toEqual(['127.1.0.1', '127.1.0.10']);
    expect(sampleSources(ten, 1)).toEqual(['127.1.0.1']);
    expect(sampleSources(ten, 50)).toEqual(ten);
    expect(() => sampleSources(ten, 0)).toThrow('connectivity check: sample must be an integer >= 1, got 0');
  });
});

describe('checkConnectivity on loopback', () => {
  let server: net.Server;
  let port: number;
  /** Source addresses of the connections the listener accepted: what the check really did. */
  const seen = new Set<string>();

  beforeAll(async () => {
    server = net.createServer((socket) => {
      seen.add(socket.remoteAddress ?? '');
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  describe.each(['python3', 'perl', 'curl'] as const)('with %s', (tool: ConnectTool) => {
    const present = onThisMachine(tool);

    it.skipIf(!present)('connects from each sampled source address', async () => {
      const sources = Array.from({ length: 9 }, (_, i) => `127.2.${tool.length}.${i + 1}`);
      const report = await checkConnectivity({
        host,
        server: 'ts1',
        sources,
        target: { address: '127.0.0.1', port },
        timeoutMs: 2000,
        sample: 3,
        tools: [tool],
      });
      const sampled = [sources[0]!, sources[4]!, sources[8]!];
      expect(report).toEqual({
        server: 'ts1',
        target: { address: '127.0.0.1', port },
        tool,
        proves: 'tcp-connect',
        results: sampled.map((source) => ({ source, ok: true })),
      });
      // The listener saw exactly those sources, and none of the others (its accept callbacks may run after
      // the check has returned).
      await expect.poll(() => sources.filter((s) => seen.has(s))).toEqual(sampled);
    });

    it.skipIf(!present)(
      'names the server, the source and the error: nothing listens on the port',
      async () => {
        const closed = await freePort();
        const err = await failure(
          checkConnectivity({
            host,
            server: 'ts1',
            sources: ['127.1.0.1'],
            target: { address: '127.0.0.1', port: closed },
            timeoutMs: 2000,
            tools: [tool],
          }),
        );
        expect(err.message).toMatch(
          new RegExp(
            `^test server ts1 \\(host ts-local\\) cannot reach the control node at 127\\.0\\.0\\.1:${closed} from 1 of 1 ` +
              `agent source addresses: 127\\.1\\.0\\.1 \\((connect 127\\.0\\.0\\.1:${closed}: Connection refused|` +
              `curl: \\(7\\) [^)]*)\\) \\[checked with ${tool}\\]$`,
          ),
        );
        expect(err.report!.results).toEqual([{ source: '127.1.0.1', ok: false, error: expect.any(String) }]);
      },
    );

    it.skipIf(!present)('names the source that is not an address of this server', async () => {
      const err = await failure(
        checkConnectivity({
          host,
          server: 'ts2',
          sources: ['127.1.0.2', '192.0.2.1', '127.1.0.3'],
          target: { address: '127.0.0.1', port },
          timeoutMs: 2000,
          tools: [tool],
        }),
      );
      expect(err.message).toContain(
        `test server ts2 (host ts-local) cannot reach the control node at 127.0.0.1:${port} from 1 of 3 agent source addresses: 192.0.2.1 (`,
      );
      expect(err.message).toContain('Cannot assign requested address');
      expect(err.report!.results.map((r) => [r.source, r.ok])).toEqual([
        ['127.1.0.2', true],
        ['192.0.2.1', false],
        ['127.1.0.3', true],
      ]);
    });
  });

  describe('without a TCP tool', () => {
    let bin: string;
    beforeAll(() => {
      bin = mkdtempSync(path.join(tmpdir(), 'netscale-ping-'));
      // A ping that answers from 127.x sources only, printing what iputils prints otherwise.
      writeFileSync(
        path.join(bin, 'ping'),
        [
          '#!/bin/sh',
          'while [ $# -gt 1 ]; do case $1 in -I) src=$2; shift ;; esac; shift; done',
          'case $src in 127.*) echo "64 bytes from $1: icmp_seq=1 ttl=64 time=0.05 ms"; exit 0 ;; esac',
          'echo "ping: bind icmp socket: Cannot assign requested address"; exit 2',
        ].join('\n'),
      );
      chmodSync(path.join(bin, 'ping'), 0o755);
    });
    afterAll(() => rmSync(bin, { recursive: true, force: true }));

    it('falls back to ping, and says it proves only ICMP', async () => {
      // The stub comes first: a real ping further on is never reached.
      const h = withPath(host, `${bin}:/usr/bin:/bin`);
      const target = { address: '127.0.0.1', port };
      const report = await checkConnectivity({
        host: h,
        server: 'ts3',
        sources: ['127.1.0.4'],
        target,
        timeoutMs: 1000,
        tools: ['ping'],
      });
      expect(report).toMatchObject({
        tool: 'ping',
        proves: 'icmp-echo',
        results: [{ source: '127.1.0.4', ok: true }],
      });
      const err = await failure(
        checkConnectivity({
          host: h,
          server: 'ts3',
          sources: ['192.0.2.1'],
          target,
          timeoutMs: 1000,
          tools: ['ping'],
        }),
      );
      expect(err.message).toBe(
        `test server ts3 (host ts-local) cannot reach the control node at 127.0.0.1:${port} from 1 of 1 agent ` +
          'source addresses: 192.0.2.1 (ping: ping: bind icmp socket: Cannot assign requested address) [checked with ping]',
      );
    });

    it('says which tools it looked for when the server has none of them', async () => {
      const err = await failure(
        checkConnectivity({
          host: withPath(host, bin),
          server: 'ts4',
          sources: ['127.1.0.5'],
          target: { address: '127.0.0.1', port },
          timeoutMs: 1000,
          tools: ['python3', 'perl'],
        }),
      );
      expect(err.message).toBe(
        `test server ts4 (host ts-local): cannot check that the control node at 127.0.0.1:${port} is reachable: ` +
          'none of python3, perl is on the host (install one, or turn the connectivity check off)',
      );
    });
  });
});
