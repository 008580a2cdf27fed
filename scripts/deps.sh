#!/usr/bin/env bash
# Installs every Debian package that nlb's build, tests, benchmarks and demo use.
# Idempotent: does nothing (fast) when all are present. Run as root.
set -eu
pkgs=(
	# build: C, BPF, skeletons, fuzzing
	build-essential clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	# libraries: control plane (SQLite, JSON, YAML, hashing), nlb-hc (TLS)
	libsqlite3-dev libcjson-dev libyaml-dev libssl-dev libgnutls28-dev
	libwolfssl-dev
	# tests, demo and benchmarks: namespaces, servers, peers
	iproute2 iputils-ping ethtool curl socat procps psmisc python3
	python3-yaml openssl sqlite3 frr frr-pythontools etcd-server
	etcd-client haproxy xdp-tools linux-perf
)
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
