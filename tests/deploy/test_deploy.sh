#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deploy/ against the binaries: the systemd units verify, every option they
# (and their environment files) pass exists in the binary's --help and parses,
# the example configurations are accepted (nlb-hc, FRR), the node's
# pre-start steps and the backend setup script work in a namespace, and
# docs/operations.md names every metric the code exports (and no other).
source "$(dirname "$0")/../lib/nlbtest.sh"

DEP=$NLBT_TOP/deploy
BIN=$NLBT_BUILD/bin
UNITCMD="python3 $NLBT_TOP/tests/deploy/unitcmd.py"
OPS=$NLBT_TOP/docs/operations.md
NLB_BINS="nlb-controlplane nlb-gateway nlb-scheduler nlblet nlb-hc nlb-node"

need_bins() {
	local b
	for b in $NLB_BINS; do
		[ -x "$BIN/$b" ] || t_skip "$b not built"
	done
}

need_root() { [ "$(id -u)" = 0 ] || t_skip "needs root (netns, bpffs, XDP)"; }

# unit_cmd UNIT KEY BIN: the words of UNIT's KEY= line that runs BIN, with
# /usr/local/bin/ pointing into the build; into the array CMD
unit_cmd() {
	local line
	line=$($UNITCMD "$DEP/systemd/$1" "$DEP/etc/nlb" |
		grep -a "^$2	[^	]*/$3"$'\x1f' | head -n1 | cut -f2-)
	[ -n "$line" ] || { echo "  no $2= running $3 in $1"; return 1; }
	mapfile -d $'\x1f' -t CMD < <(printf '%s' "$line" | sed "s|/usr/local/bin/|$BIN/|g")
}

# has_opt BIN NAME: --NAME is in BIN's --help
has_opt() {
	"$BIN/$1" --help 2>&1 | grep -qE -- "^ +--$2( |$)"
}

# Every unit passes systemd-analyze verify (binary paths into the build).
case_units_verify() {
	command -v systemd-analyze >/dev/null || t_skip "no systemd-analyze"
	need_bins
	local d u
	d=$(mktemp -d /tmp/nlbt-deploy.XXXXXX)
	t_cleanup "rm -rf $d"
	for u in "$DEP"/systemd/*.service; do
		sed -e "s|/usr/local/bin/|$BIN/|g" \
			-e "s|/usr/local/sbin/nlb-backend|$DEP/backend/nlb-backend|g" \
			"$u" >"$d/$(basename "$u")"
	done
	for u in "$d"/*.service; do
		t_check "systemd-analyze verify $(basename "$u")" \
			systemd-analyze verify --man=no "$u"
	done
}

# Every --option on an nlb command line of a unit (environment files
# expanded) is in that binary's --help; nlb-node's commands exist; the
# scripts a unit runs exist and take the verb.
case_units_options() {
	need_bins
	local u key line b w n=0 words
	for u in "$DEP"/systemd/*.service; do
		while IFS=$'\t' read -r key line; do
			mapfile -d $'\x1f' -t words < <(printf '%s' "$line")
			b=$(basename "${words[0]}")
			case " $NLB_BINS nlb-backend " in
			*" $b "*) ;;
			*) continue ;;
			esac
			if [ "$b" = nlb-backend ]; then
				t_check "$u: nlb-backend ${words[1]}" \
					grep -q "^${words[1]}) " "$DEP/backend/nlb-backend"
				continue
			fi
			for w in "${words[@]:1}"; do
				case $w in
				--*)
					w=${w#--}
					t_check "$(basename "$u") $key: $b --${w%%=*} in --help" \
						has_opt "$b" "${w%%=*}"
					n=$((n + 1))
					;;
				esac
			done
			if [ "$b" = nlb-node ]; then
				# the command: the first word that is no option's value
				local i=1 verb=""
				while [ $i -lt ${#words[@]} ]; do
					case ${words[$i]} in
					--*) i=$((i + 2)) ;;
					*) verb=${words[$i]}; break ;;
					esac
				done
				t_check "$(basename "$u"): nlb-node $verb is a command" \
					bash -c "'$BIN/nlb-node' --help | grep -qE '^  $verb '"
			fi
		done < <($UNITCMD "$u" "$DEP/etc/nlb")
	done
	t_check "options found in the units ($n)" test $n -gt 30
}

# The control-plane units' command lines start the daemons (the store, port
# and token moved into a temporary directory): the values parse, and the
# gateway answers /healthz.
cp_try() {
	local unit=$1 b=$2 d=$3 pid i
	unit_cmd "$unit" ExecStart "$b"
	"${CMD[@]}" --store "sqlite:$d/$b.db" --listen 127.0.0.1 --port 0 \
		--port-file "$d/$b.port" --admin-token-file "$d/admin-token" \
		>"$d/$b.log" 2>&1 &
	pid=$!
	t_cleanup "kill $pid"
	for ((i = 0; i < 100; i++)); do
		[ -s "$d/$b.port" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	t_check "$b listening ($(tail -n1 "$d/$b.log"))" test -s "$d/$b.port"
	t_check "$b /healthz" curl -sf -o /dev/null "http://127.0.0.1:$(cat "$d/$b.port")/healthz"
	kill $pid
	wait $pid || true
}

case_cp_units_run() {
	need_bins
	local d pid i
	d=$(mktemp -d /tmp/nlbt-deploy.XXXXXX)
	t_cleanup "rm -rf $d"
	openssl rand -hex 24 >"$d/admin-token"
	cp_try nlb-controlplane.service nlb-controlplane "$d"
	cp_try nlb-gateway.service nlb-gateway "$d"
	unit_cmd nlb-scheduler.service ExecStart nlb-scheduler
	"${CMD[@]}" --store "sqlite:$d/s.db" >"$d/s.log" 2>&1 &
	pid=$!
	t_cleanup "kill $pid"
	for ((i = 0; i < 100; i++)); do
		grep -q 'became leader' "$d/s.log" && break
		sleep 0.05
	done
	t_check "nlb-scheduler leads ($(tail -n1 "$d/s.log"))" \
		grep -q 'became leader' "$d/s.log"
}

# nlblet's command line parses: with a missing token file it gets as far
# as reading the token (exit 1, step=token), not a usage error (exit 2).
case_nlblet_unit_parses() {
	need_bins
	local out rc=0
	unit_cmd nlblet.service ExecStart nlblet
	out=$("${CMD[@]}" --token-file /nonexistent/nlbt-token 2>&1) || rc=$?
	echo "$out" | tail -n 3
	t_check "nlblet stops at the token, not at the options (rc $rc)" \
		test $rc = 1
	t_check "nlblet: event=fatal step=token" \
		grep -q 'step=token' <<<"$out"
}

# nlb-hc's unit options parse and the example configuration is valid.
case_hc_unit_example() {
	need_bins
	unit_cmd nlb-hc.service ExecStart nlb-hc
	t_check "nlb-hc.service options with --check-config" \
		bash -c "$(printf '%q ' "${CMD[@]}") --config '$DEP/nlb-hc.example.json' --check-config | grep -q ': ok: '"
}

# FRR: the base frr.conf, the top-of-rack example, and frr.conf together
# with what nlblet renders for nlblet.env's BGP settings pass vtysh's check.
case_frr_configs() {
	command -v vtysh >/dev/null && [ -x /usr/lib/frr/bgpd ] ||
		t_skip "FRR not installed (scripts/deps.sh)"
	local drv=$NLBT_BUILD/tests/bgp/bgp-driver d bgp args=() w
	t_check "frr.conf: vtysh --dryrun" vtysh --dryrun -f "$DEP/frr/frr.conf"
	t_check "tor.conf.example: vtysh --dryrun" \
		vtysh --dryrun -f "$DEP/frr/tor.conf.example"
	t_check "daemons.nlb: shell syntax" bash -n "$DEP/frr/daemons.nlb"
	[ -x "$drv" ] || t_skip "$drv not built"
	d=$(mktemp -d /tmp/nlbt-deploy.XXXXXX)
	t_cleanup "rm -rf $d"
	bgp=$(sed -n 's/^NLBLET_BGP=//p' "$DEP/etc/nlb/nlblet.env")
	set -- $bgp
	while [ $# -gt 0 ]; do
		case $1 in
		--bgp-asn) args+=(--asn "$2") ;;
		--bgp-router-id) args+=(--router-id "$2") ;;
		--bgp-neighbor) args+=(--neighbor "$2") ;;
		esac
		shift 2
	done
	"$drv" render "${args[@]}" --hostname lb1 --bfd 3,100,100 --timers 3,9 \
		--vip 192.0.2.10/32 --vip 2001:db8::10/128 >"$d/nlb.conf"
	cat "$DEP/frr/frr.conf" "$d/nlb.conf" >"$d/all.conf"
	t_check "frr.conf + nlb's bgpd configuration: vtysh --dryrun" \
		vtysh --dryrun -f "$d/all.conf"
}

# nlblet.service's pre-start steps on a veth in a namespace, maps on a
# private bpffs: nlb-node attach (skb mode: a veth here) and config.
case_node_prestart() {
	need_root
	need_bins
	local ns=nlbt-dep-$BASHPID run=/run/nlbt-dep-$BASHPID ifn=nlbtdep$((BASHPID % 100000))
	ip netns add $ns
	t_cleanup "ip netns del $ns"
	ip -n $ns link add $ifn type veth peer name ${ifn}p
	ip -n $ns link set $ifn up
	ip -n $ns link set ${ifn}p up
	mkdir -p $run
	t_cleanup "rmdir $run"
	mount -t bpf bpf $run
	t_cleanup "umount $run"
	$UNITCMD "$DEP/systemd/nlblet.service" "$DEP/etc/nlb" |
		grep -a "^ExecStartPre	[^	]*/nlb-node"$'\x1f' | cut -f2- >"$run.cmds"
	t_cleanup "rm -f $run.cmds"
	t_check "two nlb-node steps" test "$(wc -l <"$run.cmds")" = 2
	local line words
	while IFS= read -r line; do
		mapfile -d $'\x1f' -t words < <(printf '%s' "$line" |
			sed -e "s|/usr/local/bin/|$BIN/|g" -e "s|/sys/fs/bpf/nlb|$run/nlb|g")
		# the example's interface is eth0: this test's veth instead
		words=("${words[@]/#eth0/$ifn}")
		t_check "${words[*]:2}" ip netns exec $ns "${words[@]}" --mode skb \
			--ct-size 4096 --ct6-size 4096
	done <"$run.cmds"
	t_check "attached" bash -c "ip -n $ns link show $ifn | grep -q xdp"
	t_check "config has the example's IPv4 prefix" bash -c \
		"'$BIN/nlb-node' --pin-dir $run/nlb config | grep -q 'src_v4 10.0.200.0/28'"
	# again, as on every restart: the upgrade in place
	local attach
	mapfile -d $'\x1f' -t attach < <(head -n1 "$run.cmds" | tr -d '\n' |
		sed -e "s|/usr/local/bin/|$BIN/|g" -e "s|/sys/fs/bpf/nlb|$run/nlb|g")
	attach=("${attach[@]/#eth0/$ifn}")
	t_check "second attach replaces the program" \
		ip netns exec $ns "${attach[@]}" --mode skb
	t_check "config kept" bash -c \
		"'$BIN/nlb-node' --pin-dir $run/nlb config | grep -q 'src_v4 10.0.200.0/28'"
	ip netns exec $ns "$BIN/nlb-node" --pin-dir $run/nlb detach $ifn
	"$BIN/nlb-node" --pin-dir $run/nlb reset
}

# nlb-backend up / status / down in a namespace: VIPs on lo, ARP sysctls,
# nlb's XDP decapsulation (and the kernel's tunnels where they exist).
backend_ns() {
	BNS=nlbt-depb-$BASHPID BIF=nlbtdepb$((BASHPID % 100000))
	BDIR=$(mktemp -d /tmp/nlbt-deploy.XXXXXX)
	t_cleanup "rm -rf $BDIR"
	ip netns add $BNS
	t_cleanup "ip netns del $BNS"
	ip -n $BNS link add $BIF type veth peer name ${BIF}p
	ip -n $BNS link set $BIF up
	ip -n $BNS link set ${BIF}p up
	ip -n $BNS link set lo up
}

backend_run() {
	ip netns exec $BNS env NLB_BACKEND_CONF="$BDIR/backend.env" \
		NLB_NODE_BIN="$BIN/nlb-node" "$DEP/backend/nlb-backend" "$@"
}

case_backend_xdp() {
	need_root
	need_bins
	backend_ns
	sed -e "s/^NLB_DECAP=.*/NLB_DECAP=xdp/" \
		-e "s/^NLB_DECAP_IFACE=.*/NLB_DECAP_IFACE=$BIF/" \
		-e "s/^NLB_XDP_MODE=.*/NLB_XDP_MODE=skb/" \
		"$DEP/etc/nlb/backend.env" >"$BDIR/backend.env"
	t_check "nlb-backend up" backend_run up
	t_check "up again (idempotent)" backend_run up
	t_check "IPv4 VIP on lo" bash -c "ip -n $BNS -4 addr show dev lo | grep -q 'inet 192.0.2.10/32'"
	t_check "IPv6 VIP on lo" bash -c "ip -n $BNS -6 addr show dev lo | grep -q 'inet6 2001:db8::10/128'"
	t_check "arp_ignore 1" test "$(ip netns exec $BNS sysctl -n net.ipv4.conf.all.arp_ignore)" = 1
	t_check "arp_announce 2" test "$(ip netns exec $BNS sysctl -n net.ipv4.conf.all.arp_announce)" = 2
	t_check "decap attached" bash -c "ip -n $BNS link show $BIF | grep -q xdp"
	backend_run status | sed 's/^/  /'
	t_check "status: both VIPs" test "$(backend_run status | grep -c 'on lo')" = 2
	t_check "nlb-backend down" backend_run down
	t_check "VIPs gone" bash -c "! ip -n $BNS addr show dev lo | grep -q 'inet6\? \(192.0.2.10\|2001:db8::10\)/'"
	t_check "decap detached" bash -c "! ip -n $BNS link show $BIF | grep -q xdp"
	t_check "bad NLB_DECAP refused" bash -c \
		"sed -i 's/^NLB_DECAP=.*/NLB_DECAP=gre/' $BDIR/backend.env; ! backend_run up 2>/dev/null"
}

case_backend_kernel() {
	need_root
	need_bins
	backend_ns
	ip -n $BNS link add nlbtprobe type ipip external 2>/dev/null ||
		t_skip "no ipip in this kernel (NLB_DECAP=kernel untestable here)"
	ip -n $BNS link del nlbtprobe
	cp "$DEP/etc/nlb/backend.env" "$BDIR/backend.env"
	t_check "nlb-backend up" backend_run up
	t_check "nlbtun0 up" bash -c "ip -n $BNS link show nlbtun0 | grep -q UP"
	t_check "rp_filter 0 on nlbtun0" \
		test "$(ip netns exec $BNS sysctl -n net.ipv4.conf.nlbtun0.rp_filter)" = 0
	t_check "nlb-backend down" backend_run down
	t_check "nlbtun0 gone" bash -c "! ip -n $BNS link show nlbtun0 2>/dev/null"
}

# docs/operations.md lists every metric of the code and every forwarder
# counter, and names none that the code does not have.
case_metrics_documented() {
	[ -e "$OPS" ] || { echo "  no $OPS"; return 1; }
	local m code doc
	code=$(grep -rhoE '# TYPE nlb_[a-z0-9_]+' \
		"$NLBT_TOP/src" | sed 's/^# TYPE //' |
		sed -E 's/_(bucket|sum|count)$//' | sort -u)
	doc=$(grep -oE '\bnlb_(hc|gateway|scheduler|nlblet|node|xdp)_[a-z0-9_]+' "$OPS" |
		sed -E 's/_(bucket|sum|count)$//' | sort -u)
	t_check "metrics found in the code" test -n "$code"
	for m in $code; do
		t_check "$m documented in docs/operations.md" grep -qx "$m" <<<"$doc"
	done
	for m in $doc; do
		t_check "$m (docs/operations.md) exported by the code" grep -qx "$m" <<<"$code"
	done
	for m in $(sed -n 's/^\t\[NLB_CNT_[A-Z_0-9]*\] = "\([a-z_0-9]*\)",$/\1/p' \
		"$NLBT_TOP/src/lib/maps.c"); do
		t_check "forwarder counter $m documented" grep -q "\`$m\`" "$OPS"
	done
}

t_run deploy_units_verify case_units_verify
t_run deploy_units_options case_units_options
t_run deploy_cp_units_run case_cp_units_run
t_run deploy_nlblet_unit_parses case_nlblet_unit_parses
t_run deploy_hc_unit_example case_hc_unit_example
t_run deploy_frr_configs case_frr_configs
t_run deploy_node_prestart case_node_prestart
t_run deploy_backend_xdp case_backend_xdp
t_run deploy_backend_kernel case_backend_kernel
t_run deploy_metrics_documented case_metrics_documented
t_done
