#!/usr/bin/env bash
# Makes sure the system tools that tsvip's tests use are installed: iproute2 (`ip` for the namespace lab,
# `ss` for socket options, `bridge` for the lab's multicast groups), ping, tcpdump (ARP and VRRP
# captures), keepalived and haproxy (interop and side-by-side runs), frr (FRR's vrrpd in the IPv6
# interop tests; its daemons live in /usr/lib/frr, off PATH, so its vtysh stands for the package), curl
# (requests into the lab), openssl (test certificates), procps (`ps`), setpriv (a sender without
# capabilities), nginx and wrk (the load balancer benchmark's backends and client), systemd-analyze
# (checks the unit file), promtool (checks /metrics) and chromium (the status page test drives it
# through playwright-core). A test that runs one of them says which package is missing
# (test/lab/system-tools.ts).
# Installs what is missing with apt-get (CI runs as root on Debian); silent when everything is there.
set -euo pipefail

# command -> Debian package that provides it
declare -A wanted=(
  [ip]=iproute2
  [ss]=iproute2
  [bridge]=iproute2
  [ping]=iputils-ping
  [curl]=curl
  [openssl]=openssl
  [ps]=procps
  [setpriv]=util-linux
  [tcpdump]=tcpdump
  [keepalived]=keepalived
  [vtysh]=frr
  [haproxy]=haproxy
  [nginx]=nginx-light
  [wrk]=wrk
  [strace]=strace
  [systemd-analyze]=systemd
  [promtool]=prometheus
  [chromium]=chromium
)

missing=()
for command in "${!wanted[@]}"; do
  # keepalived and tcpdump live in /usr/sbin, which a non-login PATH may lack.
  if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$command" ] && [ ! -x "/sbin/$command" ]; then
    missing+=("${wanted[$command]}")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
# One package may provide several commands (iproute2: ip and ss).
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing ${missing[*]} and apt-get is not available to install them" >&2
  exit 1
fi

echo "install-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# keepalived's, haproxy's, nginx's, prometheus's and frr's packages would start their services; tests start their own copies.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
