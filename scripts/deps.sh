#!/usr/bin/env bash
# Installs every Debian package that nlb's build, tests, benchmarks and demo use.
# Idempotent: does nothing (fast) when all are present. Run as root.
set -eu
pkgs=(
	build-essential clang llvm libbpf-dev bpftool xdp-tools libelf-dev zlib1g-dev
	iproute2 iputils-ping curl socat python3 procps psmisc ethtool
	libssl-dev openssl libsqlite3-dev sqlite3 libyaml-dev libcjson-dev
	frr etcd-server etcd-client haproxy linux-perf
)
# components list their own extra packages, one per line, in scripts/deps.d/*.txt
for f in "$(dirname "$0")"/deps.d/*.txt; do
	[ -e "$f" ] || continue
	while read -r p _; do
		case "$p" in ''|'#'*) ;; *) pkgs+=("$p") ;; esac
	done <"$f"
done
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# BPF programs are pinned under bpffs.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
