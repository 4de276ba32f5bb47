#!/usr/bin/env bash
# Installs the system packages the tests use (a real OpenSSH sshd on loopback, ip, ps, flock, BIRD 2 as a
# real BGP peer for the codec; gobgpd, bird2 and frr as devices under test; cc and python3 for the data
# plane's sender and receiver) when they are missing.
# Runs before `npm test`; installs only as root, otherwise says what is missing and stops.
set -euo pipefail

need=()
[ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1 || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ps >/dev/null 2>&1 || need+=(procps)
# setsid: every process netscale starts leads its own process group; useradd/chpasswd: the sshd tests' password account.
command -v setsid >/dev/null 2>&1 || need+=(util-linux)
command -v chpasswd >/dev/null 2>&1 || need+=(passwd)
# flock: the lab lock's guard (util-linux on Debian).
command -v flock >/dev/null 2>&1 || need+=(util-linux)
command -v bird >/dev/null 2>&1 || need+=(bird2)
# Real BGP daemons as devices under test (lib/daemons).
command -v gobgpd >/dev/null 2>&1 || need+=(gobgpd)
{ [ -x /usr/lib/frr/bgpd ] && command -v vtysh >/dev/null 2>&1; } || need+=(frr)
# The data plane's paced sender is built with cc (lib/dataplane/sender); python3 runs its latency receiver.
command -v cc >/dev/null 2>&1 || need+=(gcc)
[ -e /usr/include/stdio.h ] || need+=(libc6-dev)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "netscale tests need these system packages: ${need[*]} (install them as root, e.g. apt-get install -y ${need[*]})" >&2
  exit 1
fi
echo "installing system packages for the tests: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
