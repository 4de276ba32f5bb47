/*
 * nsd-sender: a paced AF_PACKET UDP/IPv4 frame sender for the netns data plane.
 *
 * Sends --count frames (0: until SIGTERM/SIGINT or --max-ms) of --size bytes
 * (Ethernet frame size including the 4-byte FCS, which veth does not carry:
 * frames go out size - 4 bytes long) at --rate frames/s (0: as fast as it
 * can), in sendmmsg batches with the qdisc bypassed. Flows differ in the UDP
 * source port. With --probe-every K, every K-th frame is a latency probe to
 * --probe-port carrying its CLOCK_REALTIME send time, read by a receiver.
 * A probe's UDP payload: magic "nsdp", sequence (u32), send time (u64 ns), host order.
 * Prints one JSON line: frames sent, first and last send times (monotonic),
 * so the caller knows the rate actually achieved.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 64
#define PROBE_MAGIC 0x6e736470U /* "nsdp" */

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static uint64_t now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int parse_mac(const char *s, uint8_t *out) {
  return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &out[0], &out[1], &out[2], &out[3], &out[4], &out[5]) == 6 ? 0 : -1;
}

static uint16_t ip_checksum(const uint8_t *h, int len) {
  uint32_t sum = 0;
  for (int i = 0; i < len; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void build_frame(uint8_t *f, int len, const uint8_t *dmac, const uint8_t *smac, struct in_addr sip,
                        struct in_addr dip, uint16_t sport, uint16_t dport) {
  memset(f, 0, (size_t)len);
  memcpy(f, dmac, 6);
  memcpy(f + 6, smac, 6);
  f[12] = 0x08; f[13] = 0x00;
  uint8_t *ip = f + 14;
  int ip_len = len - 14;
  ip[0] = 0x45; ip[2] = (uint8_t)(ip_len >> 8); ip[3] = (uint8_t)ip_len;
  ip[6] = 0x40; /* DF */
  ip[8] = 64; ip[9] = 17;
  memcpy(ip + 12, &sip, 4);
  memcpy(ip + 16, &dip, 4);
  uint16_t c = ip_checksum(ip, 20);
  ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
  uint8_t *udp = ip + 20;
  int udp_len = ip_len - 20;
  udp[0] = (uint8_t)(sport >> 8); udp[1] = (uint8_t)sport;
  udp[2] = (uint8_t)(dport >> 8); udp[3] = (uint8_t)dport;
  udp[4] = (uint8_t)(udp_len >> 8); udp[5] = (uint8_t)udp_len;
  /* UDP checksum 0: none (allowed for IPv4), so probes can carry a fresh timestamp. */
}

static void usage(void) {
  fprintf(stderr, "usage: nsd-sender --dev IF --src-mac M --dst-mac M --src-ip A --dst-ip A --size BYTES "
                  "[--rate FPS] [--count N] [--max-ms MS] [--flows N] [--sport P] [--dport P] "
                  "[--probe-every K --probe-ip A --probe-port P] [--batch N]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *dev = NULL;
  uint8_t smac[6] = {0}, dmac[6] = {0};
  struct in_addr sip = {0}, dip = {0}, pip = {0};
  int have_pip = 0;
  int size = 64, flows = 1, batch = BATCH_MAX;
  double rate = 0;
  uint64_t count = 0, max_ms = 0, probe_every = 0;
  unsigned sport = 1234, dport = 1234, probe_port = 0;
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i];
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(k, "--dev")) dev = v;
    else if (!strcmp(k, "--src-mac")) { if (parse_mac(v, smac)) usage(); }
    else if (!strcmp(k, "--dst-mac")) { if (parse_mac(v, dmac)) usage(); }
    else if (!strcmp(k, "--src-ip")) { if (inet_pton(AF_INET, v, &sip) != 1) usage(); }
    else if (!strcmp(k, "--dst-ip")) { if (inet_pton(AF_INET, v, &dip) != 1) usage(); }
    else if (!strcmp(k, "--probe-ip")) { if (inet_pton(AF_INET, v, &pip) != 1) usage(); have_pip = 1; }
    else if (!strcmp(k, "--size")) size = atoi(v);
    else if (!strcmp(k, "--rate")) rate = atof(v);
    else if (!strcmp(k, "--count")) count = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--max-ms")) max_ms = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--flows")) flows = atoi(v);
    else if (!strcmp(k, "--sport")) sport = (unsigned)atoi(v);
    else if (!strcmp(k, "--dport")) dport = (unsigned)atoi(v);
    else if (!strcmp(k, "--probe-every")) probe_every = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--probe-port")) probe_port = (unsigned)atoi(v);
    else if (!strcmp(k, "--batch")) batch = atoi(v);
    else usage();
  }
  int len = size - 4;
  if (!dev || len < 60 || len > 9212 || flows < 1 || flows > 65536 || batch < 1 || batch > BATCH_MAX) usage();
  if (probe_every && (!probe_port || !have_pip || len < 14 + 20 + 8 + 16)) usage();

  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { perror("nsd-sender: socket(AF_PACKET)"); return 1; }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll addr = {0};
  addr.sll_family = AF_PACKET;
  addr.sll_ifindex = (int)if_nametoindex(dev);
  addr.sll_halen = 6;
  memcpy(addr.sll_addr, dmac, 6);
  if (!addr.sll_ifindex) { fprintf(stderr, "nsd-sender: no interface %s\n", dev); return 1; }
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("nsd-sender: bind"); return 1; }

  uint8_t *frames = malloc((size_t)flows * (size_t)len);
  uint8_t *probes = malloc((size_t)BATCH_MAX * (size_t)len);
  if (!frames || !probes) { perror("nsd-sender: malloc"); return 1; }
  for (int f = 0; f < flows; f++)
    build_frame(frames + (size_t)f * (size_t)len, len, dmac, smac, sip, dip, (uint16_t)(sport + (unsigned)f), (uint16_t)dport);
  for (int b = 0; b < BATCH_MAX; b++)
    build_frame(probes + (size_t)b * (size_t)len, len, dmac, smac, sip, pip, (uint16_t)sport, (uint16_t)probe_port);

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  memset(msgs, 0, sizeof msgs);
  for (int b = 0; b < BATCH_MAX; b++) {
    msgs[b].msg_hdr.msg_iov = &iov[b];
    msgs[b].msg_hdr.msg_iovlen = 1;
  }

  uint64_t sent = 0, probes_sent = 0, retries = 0;
  uint64_t start = now_ns(CLOCK_MONOTONIC), first = 0, last = 0;
  uint64_t pace_start = start;
  double ns_per_frame = rate > 0 ? 1e9 / rate : 0;
  while (!stop_requested && (count == 0 || sent < count)) {
    uint64_t t = now_ns(CLOCK_MONOTONIC);
    if (max_ms && t - start >= max_ms * 1000000ULL) break;
    uint64_t due = count ? count - sent : (uint64_t)batch;
    if (rate > 0) {
      /* Frames whose send time has come: frame i is due at start + i / rate. */
      uint64_t elapsed = t - pace_start;
      uint64_t allowed = (uint64_t)((double)elapsed / ns_per_frame) + 1;
      if (allowed <= sent) {
        /* Sleep until the next frame is due, never spin: the sender runs at real-time priority, and a
           spinning real-time task uses up the kernel's real-time budget (sched_rt_runtime_us, 95 % of
           each second by default) and is then stopped for the rest of the second, which looks like a
           DUT that back-pressured. A late wake-up is made good by sending the frames then due at once. */
        uint64_t due_at = pace_start + (uint64_t)((double)sent * ns_per_frame);
        struct timespec ts = {(time_t)(due_at / 1000000000ULL), (long)(due_at % 1000000000ULL)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        continue;
      }
      /* Held up (scheduler, back-pressure): send at most one batch late, never the whole backlog at once,
         which a shaper's queue would take as a burst; the frames not sent lower the achieved rate. */
      if (allowed - sent > (uint64_t)batch) {
        uint64_t skip = allowed - sent - (uint64_t)batch;
        pace_start += (uint64_t)((double)skip * ns_per_frame);
        allowed -= skip;
      }
      if (allowed - sent < due) due = allowed - sent;
    }
    int n = due < (uint64_t)batch ? (int)due : batch;
    uint64_t stamp = 0;
    for (int b = 0; b < n; b++) {
      uint64_t i = sent + (uint64_t)b;
      uint8_t *f;
      if (probe_every && i % probe_every == 0) {
        f = probes + (size_t)b * (size_t)len;
        if (!stamp) stamp = now_ns(CLOCK_REALTIME);
        uint32_t magic = PROBE_MAGIC, seq = (uint32_t)i;
        memcpy(f + 42, &magic, 4);
        memcpy(f + 46, &seq, 4);
        memcpy(f + 50, &stamp, 8);
        probes_sent++;
      } else {
        f = frames + (size_t)(i % (uint64_t)flows) * (size_t)len;
      }
      iov[b].iov_base = f;
      iov[b].iov_len = (size_t)len;
    }
    int r = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (r < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) { retries++; continue; }
      perror("nsd-sender: sendmmsg");
      return 1;
    }
    if (r > 0) {
      last = now_ns(CLOCK_MONOTONIC);
      if (!first) first = t;
    }
    sent += (uint64_t)r;
  }
  printf("{\"sent\":%llu,\"probes\":%llu,\"retries\":%llu,\"startNs\":%llu,\"firstNs\":%llu,\"lastNs\":%llu}\n",
         (unsigned long long)sent, (unsigned long long)probes_sent, (unsigned long long)retries,
         (unsigned long long)start, (unsigned long long)first, (unsigned long long)last);
  return 0;
}
