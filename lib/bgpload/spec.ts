/**
 * Spec files of the `netscale bgp-load` and `netscale bgp-monitor` processes (JSON). Another module
 * writes them (a DUT fixture knows the addresses), the processes read them; both sides use these schemas.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { nthAddress } from './address-range.ts';
import type { BgpLoadGeneratorOptions, GeneratorPeer } from './bgp-load-generator.ts';
import type { MonitorPeerOptions } from './monitor-peer.ts';
import { DEFAULT_PREFIX_BASE, DEFAULT_PREFIX_LENGTH } from './prefix-plan.ts';
import { parseCommunity } from './route-attributes.ts';

const address = z.string().refine((s) => ipaddr.isValid(s), { error: 'expected an IPv4 or IPv6 address' });
const ipv4 = z
  .string()
  .refine((s) => ipaddr.IPv4.isValidFourPartDecimal(s), { error: 'expected an IPv4 address' });
const asn = z.int().min(1).max(4_294_967_295);
const family = z.enum(['ipv4', 'ipv6']);
const community = z.string().refine(
  (s) => {
    try {
      parseCommunity(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected a community "AS:value" like 65000:100' },
);

export const dutSpecSchema = z.strictObject({
  address,
  port: z.int().min(1).max(65535).default(179),
  /** The DUT's AS: its OPEN must carry it (left out: not checked). */
  as: asn.optional(),
});

const sessionSettings = {
  holdTimeSeconds: z
    .int()
    .refine((n) => n === 0 || (n >= 3 && n <= 65535), { error: 'expected 0 or 3..65535' })
    .default(90),
  extendedMessages: z.boolean().default(true),
  connectTimeoutMs: z.int().positive().default(30_000),
};

export const bgpLoadSpecSchema = z
  .strictObject({
    dut: dutSpecSchema,
    peers: z.strictObject({
      count: z.int().min(1),
      /** Peer i's source address is firstAddress + i, unless `addresses` lists them. */
      firstAddress: address.optional(),
      addresses: z.array(address).optional(),
      firstAs: asn.default(65001),
      /** true: every peer uses firstAs; false: peer i uses firstAs + i. */
      sameAs: z.boolean().default(false),
      /** Peer i's BGP identifier is firstRouterId + i; default the first address when IPv4, else 10.255.0.1. */
      firstRouterId: ipv4.optional(),
    }),
    prefixes: z.strictObject({
      family: family.default('ipv4'),
      /** Per peer. */
      count: z.int().min(0),
      length: z.int().min(1).max(128).optional(),
      base: address.optional(),
      mode: z.enum(['distinct', 'shared']).default('distinct'),
    }),
    attributes: z
      .strictObject({
        asPathLength: z.int().min(1).max(255).default(1),
        communities: z.array(community).default([]),
        nextHop: address.optional(),
        med: z.int().min(0).max(4_294_967_295).optional(),
      })
      .prefault({}),
    ...sessionSettings,
  })
  .superRefine((spec, ctx) => {
    const p = spec.peers;
    if (p.addresses === undefined && p.firstAddress === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['peers', 'firstAddress'],
        message: 'expected firstAddress or addresses',
      });
    }
    if (p.addresses !== undefined && p.addresses.length < p.count) {
      ctx.addIssue({
        code: 'custom',
        path: ['peers', 'addresses'],
        message: `expected at least count (${p.count}) addresses`,
      });
    }
    if (!p.sameAs && p.firstAs + p.count - 1 > 4_294_967_295) {
      ctx.addIssue({
        code: 'custom',
        path: ['peers', 'firstAs'],
        message: `firstAs + count - 1 exceeds 4294967295`,
      });
    }
  });

export const bgpMonitorSpecSchema = z.strictObject({
  dut: dutSpecSchema,
  monitor: z.strictObject({
    address,
    as: asn.default(65535),
    /** Default: the address when IPv4, else 10.255.255.254. */
    routerId: ipv4.optional(),
  }),
  families: z.array(family).min(1).default(['ipv4', 'ipv6']),
  /** Prefix count the run expects: a count line is always printed when it is reached. */
  expect: z.int().min(0).optional(),
  ...sessionSettings,
});

/** What a spec file holds (defaults may be left out). */
export type BgpLoadSpecInput = z.input<typeof bgpLoadSpecSchema>;
export type BgpMonitorSpecInput = z.input<typeof bgpMonitorSpecSchema>;
/** A parsed spec, defaults filled in. */
export type BgpLoadSpec = z.output<typeof bgpLoadSpecSchema>;
export type BgpMonitorSpec = z.output<typeof bgpMonitorSpecSchema>;

function routerIdFor(
  first: string | undefined,
  firstAddress: string | undefined,
  fallback: string,
  i: number,
): string {
  const base =
    first ?? (firstAddress && ipaddr.IPv4.isValidFourPartDecimal(firstAddress) ? firstAddress : fallback);
  return nthAddress(base, i, 'router id');
}

export function generatorPeers(spec: BgpLoadSpec): GeneratorPeer[] {
  const p = spec.peers;
  return Array.from({ length: p.count }, (_, i) => {
    const address = p.addresses?.[i] ?? nthAddress(p.firstAddress as string, i, 'peers.firstAddress');
    return {
      address,
      asn: p.sameAs ? p.firstAs : p.firstAs + i,
      bgpId: routerIdFor(p.firstRouterId, p.addresses?.[0] ?? p.firstAddress, '10.255.0.1', i),
    };
  });
}

export function generatorOptions(spec: BgpLoadSpec): Omit<BgpLoadGeneratorOptions, 'onEvent'> {
  const f = spec.prefixes.family;
  return {
    dut: { address: spec.dut.address, port: spec.dut.port, asn: spec.dut.as },
    peers: generatorPeers(spec),
    prefixes: {
      family: f,
      count: spec.prefixes.count,
      length: spec.prefixes.length ?? DEFAULT_PREFIX_LENGTH[f],
      base: spec.prefixes.base ?? DEFAULT_PREFIX_BASE[f],
      mode: spec.prefixes.mode,
    },
    attributes: spec.attributes,
    holdTimeSeconds: spec.holdTimeSeconds,
    extendedMessages: spec.extendedMessages,
    connectTimeoutMs: spec.connectTimeoutMs,
  };
}

export function monitorOptions(spec: BgpMonitorSpec): Omit<MonitorPeerOptions, 'onCount' | 'onError'> {
  const m = spec.monitor;
  return {
    dut: { address: spec.dut.address, port: spec.dut.port, asn: spec.dut.as },
    address: m.address,
    asn: m.as,
    bgpId: m.routerId ?? (ipaddr.IPv4.isValidFourPartDecimal(m.address) ? m.address : '10.255.255.254'),
    families: spec.families,
    holdTimeSeconds: spec.holdTimeSeconds,
    extendedMessages: spec.extendedMessages,
    connectTimeoutMs: spec.connectTimeoutMs,
  };
}
