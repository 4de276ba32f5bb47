/**
 * The netns data plane (lib/dataplane) on this machine, as root:
 *
 * 1. Per frame size (64, 512, 1518 B): the generator's top rate (nsd-sender unpaced over the generator
 *    namespace's calibration veth pair, as the searches take it; also as counted at the receiving veth)
 *    vs the veth limit, measured in the same run on the same pair by the bench's own minimal sender (an
 *    AF_PACKET sendmmsg() loop of one UDP/IPv4 frame addressed as the generator's, built here), counted
 *    at the receiving veth's rx counter.
 *    Goal: >= 80 %. Rounds alternate the two; the median of BENCH_ROUNDS (default 3) is shown.
 * 2. Binary search (NDR, then PDR) vs the multi-goal search (both at once) on the real device: the router
 *    DUT shaped to 200 Mbit/s, 512 B, one direction, 1 s trials, at one precision (0.5 % of the shaper's
 *    rate; lib/trafficgen/search/search-comparison.ts, the same comparison as bench/search.bench.ts).
 *    Goal: multi-goal trial time <= 30 % of binary NDR + PDR.
 * 3. What this machine carries through the unshaped router DUT without loss at 64 B in both directions
 *    (multi-goal NDR, 1 s trials): the figure behind labs/netns.yaml's linkSpeedMbit.
 *
 *   npx tsx bench/dataplane.bench.ts
 *   BENCH_ROUNDS=5 npx tsx bench/dataplane.bench.ts
 *
 * Goals are printed, not enforced: on a shared 2-core machine the rates move with the load.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shapedFps } from '../lib/dataplane/framing.ts';
import { L1_OVERHEAD_BYTES } from '../lib/trafficgen/line-rate.ts';
import { inNs, NetnsDataplane, shaperSlackBytes } from '../lib/dataplane/netns-dataplane.ts';
import { NetnsTrafficGenerator } from '../lib/dataplane/netns-generator.ts';
import { LocalHost } from '../lib/hosts/local-host.ts';
import { shellQuote } from '../lib/hosts/shell-quote.ts';
import { compareSearches } from '../lib/trafficgen/search/search-comparison.ts';
import { trafficSpec } from '../lib/trafficgen/traffic.ts';

const FRAME_SIZES = [64, 512, 1518];
const ROUNDS = Number(process.env['BENCH_ROUNDS'] || 3);
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0))
  throw new Error(`BENCH_ROUNDS: expected a positive integer, found ${process.env['BENCH_ROUNDS']}`);
const MINIMAL_SECONDS = 1;
/** The generator's calibration: nsd-sender unpaced for this long. */
const CALIBRATION_S = 0.3;
const WORK_DIR = '.netscale/dataplane';
const SHAPED_MBIT = 200;
const SEARCH_FRAME = 512;
const TRIAL_S = 1;
/** The generator's default pacing tolerance (NetnsGeneratorOptions.pacingTolerancePct). */
const PACING_TOLERANCE = 0.01;

if (process.getuid?.() !== 0) {
  console.error('dataplane bench: creates network namespaces; run as root');
  process.exit(1);
}

/**
 * The veth limit's yardstick: one frame, sendmmsg() of 64 in a loop for the given time, nothing else
 * (no pacing, no per-frame work; a send() per frame reaches only about half the rate on this machine).
 */
const MINIMAL_SENDER = String.raw`
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  /* argv: dev dst-mac frame-size seconds src-ip dst-ip */
  int len = atoi(argv[3]) - 4, one = 1;
  static unsigned char f[9216];
  sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]);
  f[6] = 0x02; f[12] = 0x08; f[13] = 0x00;
  /* A valid IPv4/UDP frame, as the generator sends, so the receiving stack does the same work for both. */
  unsigned char *ip = f + 14;
  ip[0] = 0x45; ip[2] = (unsigned char)((len - 14) >> 8); ip[3] = (unsigned char)(len - 14); ip[8] = 64; ip[9] = 17;
  inet_pton(AF_INET, argv[5], ip + 12); inet_pton(AF_INET, argv[6], ip + 16);
  unsigned sum = 0;
  for (int i = 0; i < 20; i += 2) sum += (unsigned)(ip[i] << 8 | ip[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = (unsigned char)(~sum >> 8); ip[11] = (unsigned char)~sum;
  unsigned char *udp = ip + 20;
  udp[0] = 0x04; udp[1] = 0x00; udp[2] = 0x04; udp[3] = 0x01;
  udp[4] = (unsigned char)((len - 34) >> 8); udp[5] = (unsigned char)(len - 34);
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll a = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(argv[1]), .sll_halen = 6};
  memcpy(a.sll_addr, f, 6);
  if (fd < 0 || a.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("minimal-sender"); return 1; }
  struct iovec iov = {f, (size_t)len};
  struct mmsghdr m[64];
  memset(m, 0, sizeof m);
  for (int i = 0; i < 64; i++) { m[i].msg_hdr.msg_iov = &iov; m[i].msg_hdr.msg_iovlen = 1; }
  double start = now(), end = start + atof(argv[4]), t = start;
  unsigned long sent = 0;
  while (t < end) {
    int r = sendmmsg(fd, m, 64, 0);
    if (r > 0) sent += (unsigned long)r;
    t = now();
  }
  printf("%lu %.9f\n", sent, t - start);
  return 0;
}
`;

const host = new LocalHost({ runTag: `dataplane-bench-${process.pid}` });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kpps = (fps: number) => (fps / 1e3).toFixed(1);
const l1Mbit = (fps: number, size: number) => (fps * (size + L1_OVERHEAD_BYTES) * 8) / 1e6;

async function buildMinimalSender(dir: string): Promise<string> {
  const bin = join(dir, 'minimal-sender');
  await writeFile(`${bin}.c`, MINIMAL_SENDER);
  const cc = await host.exec(`cc -O2 -o ${shellQuote(bin)} ${shellQuote(`${bin}.c`)}`, { timeoutMs: 60_000 });
  if (cc.code !== 0) throw new Error(`dataplane bench: cannot build the minimal sender: ${cc.stderr.trim()}`);
  return bin;
}

/** The minimal sender's rate over the generator's calibration pair, counted at the receiving veth. */
async function vethLimitFps(dp: NetnsDataplane, bin: string, size: number): Promise<number> {
  const { ns, calDev, calMac, ip } = dp.gen;
  const rxDev = dp.gen.calPeerDev;
  const before = await dp.linkCounters(ns, rxDev);
  const cmd = [bin, calDev, calMac, String(size), String(MINIMAL_SECONDS), ip, dp.rcv.sinkIp]
    .map(shellQuote)
    .join(' ');
  const r = await host.exec(inNs(ns, `chrt -f 10 ${cmd}`), { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`dataplane bench: minimal sender failed: ${r.stderr.trim()}`);
  const elapsedS = Number(r.stdout.trim().split(' ')[1]);
  const after = await dp.settledRx(ns, rxDev);
  return (after.rxPackets - before.rxPackets) / elapsedS;
}

const work = await mkdtemp(join(tmpdir(), 'dataplane-bench-'));
const minimal = await buildMinimalSender(work);
console.log(
  `machine: ${(await host.exec('nproc')).stdout.trim()} cores, load ${(await host.exec('cut -d" " -f1-3 /proc/loadavg')).stdout.trim()}`,
);

// 1. Generator vs veth limit.
const rateRows: Record<string, string>[] = [];
{
  const dp = await NetnsDataplane.create(host, { dut: 'router' });
  try {
    for (const size of FRAME_SIZES) {
      const veth: number[] = [];
      const gen: number[] = [];
      const genRx: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        veth.push(await vethLimitFps(dp, minimal, size));
        // A generator of its own per round: its calibration is measured once per instance.
        const g = new NetnsTrafficGenerator(dp, {
          workDir: WORK_DIR,
          linkSpeedMbit: 100_000,
          calibrationSeconds: CALIBRATION_S,
        });
        await g.connect();
        const rxDev = dp.gen.calPeerDev;
        const before = await dp.linkCounters(dp.gen.ns, rxDev);
        gen.push(await g.calibratedFps(trafficSpec({ l2: { frameSize: size }, bidir: false })));
        const after = await dp.settledRx(dp.gen.ns, rxDev);
        genRx.push((after.rxPackets - before.rxPackets) / CALIBRATION_S);
      }
      const ratio = (100 * median(gen)) / median(veth);
      rateRows.push({
        'frame B': String(size),
        'veth limit kpps (minimal sender)': kpps(median(veth)),
        'generator kpps': kpps(median(gen)),
        'generator rx kpps': kpps(median(genRx)),
        'generator / limit': `${ratio.toFixed(1)} %`,
        'goal >= 80 %': ratio >= 80 ? 'met' : 'NOT met',
        'rounds veth / gen kpps': `${veth.map(kpps).join(' ')} / ${gen.map(kpps).join(' ')}`,
      });
    }
  } finally {
    await dp.destroy();
  }
}
console.log(`\n1. generator vs veth limit (one direction, ${ROUNDS} rounds, medians)`);
console.table(rateRows);

// 2. Binary vs multi-goal search on the shaped router.
{
  const dp = await NetnsDataplane.create(host, { dut: 'router', rateLimitMbit: SHAPED_MBIT });
  try {
    const g = new NetnsTrafficGenerator(dp, {
      workDir: WORK_DIR,
      linkSpeedMbit: 1000,
      maxTrialSeconds: TRIAL_S,
    });
    await g.connect();
    const traffic = trafficSpec({ l2: { frameSize: SEARCH_FRAME }, bidir: false });
    const truth = shapedFps(SHAPED_MBIT, SEARCH_FRAME) / 1e6;
    // A trial passes up to the shaper's slack (bucket + queue) above the rate; the sender's pacing is not
    // judged within 1 % (offered-rate.ts), so a trial may run that much long or short.
    const slack = shaperSlackBytes(SHAPED_MBIT) / (SEARCH_FRAME + L1_OVERHEAD_BYTES) / TRIAL_S / 1e6;
    const band = { low: truth * (1 - PACING_TOLERANCE), high: (truth + slack) * (1 + PACING_TOLERANCE) };
    const precision = truth * 0.005;
    const cmp = await compareSearches({
      name: `router shaped to ${SHAPED_MBIT} Mbit/s`,
      makeTrial: () => async (rate, d, label) => (await g.trial(traffic, rate * 1e6, d, { label })).worst,
      trueNdr: band,
      truePdr: band,
      maxRateMpps: g.lineRateMpps(SEARCH_FRAME),
      finalDurationS: TRIAL_S,
      precisionMpps: precision,
    });
    const binary = cmp.runs.find((r) => r.search === 'binary NDR + binary PDR')!;
    const multi = cmp.runs.find((r) => r.search === 'multi-goal NDR+PDR')!;
    const share = (100 * multi.trialTimeS) / binary.trialTimeS;
    console.log(
      `\n2. searches on the router shaped to ${SHAPED_MBIT} Mbit/s, ${SEARCH_FRAME} B one way, ${TRIAL_S} s trials: ` +
        `truth ${(truth * 1e3).toFixed(2)} kpps (passes up to ${(band.high * 1e3).toFixed(2)}), precision ${(precision * 1e3).toFixed(3)} kpps`,
    );
    console.table(
      cmp.runs.map((r) => ({
        search: r.search,
        trials: r.trials,
        'trial time s': r.trialTimeS.toFixed(2),
        'NDR kpps': r.ndr === null ? '-' : (r.ndr * 1e3).toFixed(2),
        'PDR kpps': r.pdr === null ? '-' : (r.pdr * 1e3).toFixed(2),
        'bracket kpps': r.bracketMpps === null ? '-' : (r.bracketMpps * 1e3).toFixed(3),
        'truth found': r.foundTruth ? 'yes' : 'NO',
      })),
    );
    console.log(
      `multi-goal trial time / binary NDR+PDR: ${share.toFixed(1)} % (goal <= 30 %: ${share <= 30 ? 'met' : 'NOT met'})`,
    );
  } finally {
    await dp.destroy();
  }
}

// 3. The data plane's own capacity: labs/netns.yaml's linkSpeedMbit.
{
  const dp = await NetnsDataplane.create(host, { dut: 'router' });
  try {
    const g = new NetnsTrafficGenerator(dp, {
      workDir: WORK_DIR,
      linkSpeedMbit: 100_000,
      maxTrialSeconds: TRIAL_S,
    });
    await g.connect();
    const r = await g.rfc2544Throughput(trafficSpec({ l2: { frameSize: 64 }, bidir: true }), {
      durationS: TRIAL_S,
      search: 'multi-goal',
      relativeWidth: 0.005,
    });
    const fps = (r.throughputMpps ?? 0) * 1e6;
    console.log(
      `\n3. NDR 64 B bidir, router (unshaped, ${TRIAL_S} s trials): ${kpps(fps)} kpps per direction = ` +
        `${l1Mbit(fps, 64).toFixed(1)} Mbit/s at L1 (${r.trials.length} trials; generator alone ${kpps(r.calibratedMpps * 1e6)} kpps)`,
    );
  } finally {
    await dp.destroy();
  }
}
await rm(work, { recursive: true, force: true });
