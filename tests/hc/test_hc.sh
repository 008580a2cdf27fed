#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# nlb-hc against real servers in a namespace: every check type, the reasons
# it reports, rise/fall, deduplication, reload, and the outputs agreeing.
source "$(dirname "$0")/../lib/nlbtest.sh"
source "$(dirname "$0")/lib.sh"

# TCP: a listening port is up, a refusing port and a black hole are down
# with their own reasons; the timeout runs from the SYN.
case_tcp() {
	hc_env
	hc_serve web ok
	local p; p=$(hc_port web)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 300, "timeout_ms": 200},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["v-open"],
	   "checks": [{"type": "tcp", "port": $p}]},
	  {"address": "127.0.0.2", "vips": ["v-refused"],
	   "checks": [{"type": "tcp", "port": 1}]},
	  {"address": "198.18.0.2", "vips": ["v-hole"],
	   "checks": [{"type": "tcp", "port": 80}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v-open --match state=up --reason connected
	hc_wait --match vips=v-refused --match state=down \
		--reason "connection refused"
	local ev lat
	ev=$(hc_wait --match vips=v-hole --match state=down --reason timeout)
	lat=$(echo "$ev" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["latency_us"])')
	t_check "timeout latency $lat us is the 200 ms timeout" \
		test "$lat" -ge 200000 -a "$lat" -lt 400000
}

# HTTP: 200 up, 503 down "HTTP 503", a server that never answers is down
# "timeout", a body that does not match is down.
case_http() {
	hc_env
	hc_serve ok ok
	hc_serve bad 503
	hc_serve mute silent
	local ok bad mute
	ok=$(hc_port ok) bad=$(hc_port bad) mute=$(hc_port mute)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 300, "timeout_ms": 250},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["v-ok"], "checks": [
	    {"type": "http", "port": $ok, "path": "/healthz",
	     "expect": "200-299", "body": "status: ok"}]},
	  {"address": "127.0.0.1", "vips": ["v-body"], "checks": [
	    {"type": "http", "port": $ok, "body": "status: great"}]},
	  {"address": "127.0.0.1", "vips": ["v-503"], "checks": [
	    {"type": "http", "port": $bad}]},
	  {"address": "127.0.0.1", "vips": ["v-503-ok"], "checks": [
	    {"type": "http", "port": $bad, "expect": "200-299,503"}]},
	  {"address": "127.0.0.1", "vips": ["v-mute"], "checks": [
	    {"type": "http", "port": $mute}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v-ok --match state=up --reason "HTTP 200"
	hc_wait --match vips=v-body --match state=down --reason "body mismatch"
	hc_wait --match vips=v-503 --match state=down --reason "HTTP 503"
	hc_wait --match vips=v-503-ok --match state=up --reason "HTTP 503"
	hc_wait --match vips=v-mute --match state=down --match reason=timeout
}

# HTTPS: a CA-signed server verified with SNI is up; a self-signed one is
# down when verified and up when not; a plain HTTP port on a TLS check is
# down.
case_https() {
	hc_env
	hc_certs
	hc_serve good ok --cert "$HC_TMP/srv.pem" --key "$HC_TMP/srv.key" \
		--ciphers "$HC_TMP/ciphers" --segs "$HC_TMP/segs"
	hc_serve self ok --cert "$HC_TMP/self.pem" --key "$HC_TMP/srv.key"
	hc_serve plain ok
	local good self plain
	good=$(hc_port good) self=$(hc_port self) plain=$(hc_port plain)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 400, "timeout_ms": 350},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["v-good"], "checks": [
	    {"type": "https", "port": $good, "sni": "hc.test", "verify": true,
	     "ca_file": "$HC_TMP/ca.pem", "body": "status: ok"}]},
	  {"address": "127.0.0.1", "vips": ["v-wrongname"], "checks": [
	    {"type": "https", "port": $good, "sni": "other.test",
	     "verify": true, "ca_file": "$HC_TMP/ca.pem"}]},
	  {"address": "127.0.0.1", "vips": ["v-self"], "checks": [
	    {"type": "https", "port": $self, "sni": "hc.test", "verify": true,
	     "ca_file": "$HC_TMP/ca.pem"}]},
	  {"address": "127.0.0.1", "vips": ["v-self-noverify"], "checks": [
	    {"type": "https", "port": $self, "tls_min": "1.3"}]},
	  {"address": "127.0.0.1", "vips": ["v-plain"], "checks": [
	    {"type": "https", "port": $plain}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v-good --match state=up --reason "HTTP 200"
	hc_wait --match vips=v-wrongname --match state=down \
		--reason "TLS: certificate verify failed"
	hc_wait --match vips=v-self --match state=down \
		--reason "TLS: certificate verify failed"
	hc_wait --match vips=v-self-noverify --match state=up >/dev/null
	# the plain server waits for a request that never comes
	hc_wait --match vips=v-plain --match state=down --match reason=timeout
	# offered first, and taken by a server that lets the client choose:
	# TLS 1.3 keys derived with SHA-256, not SHA-384
	local other
	other=$(awk '$2 != "TLS_AES_128_GCM_SHA256"' "$HC_TMP/ciphers")
	t_check "a connection was logged" test -s "$HC_TMP/ciphers"
	t_check "every connection used TLS_AES_128_GCM_SHA256: '$other'" \
		test -z "$other"
	# SYN, ClientHello, then Finished and request in one segment; a
	# delayed ACK on a busy machine may add one now and then
	local total one_flight
	total=$(wc -l <"$HC_TMP/segs")
	one_flight=$(awk '$2 <= 3' "$HC_TMP/segs" | wc -l)
	t_check "requests in 3 segments: $one_flight of $total" \
		test "$total" -ge 1 -a $((one_flight * 5)) -ge $((total * 4))
	# the one key share sent is X25519's, and every server took it
	local m=$HC_TMP/metrics hs x
	hc_metrics_save "$m"
	hs=$(($(hc_metric_of "$m" 'nlb_hc_tls_handshakes_total{resumed="no"}') +
		$(hc_metric_of "$m" 'nlb_hc_tls_handshakes_total{resumed="yes"}')))
	x=$(hc_metric_of "$m" 'nlb_hc_tls_negotiated_total{version="1.3",key_exchange="x25519"}')
	t_check "handshakes on TLS 1.3 with X25519: $x of $hs" \
		test "$hs" -ge 1 -a "$x" = "$hs"
}

# Session resumption: off by default (every handshake full), on when asked
# (the server's tickets are used).
case_tls_resume() {
	hc_env
	hc_certs
	hc_serve tls ok --cert "$HC_TMP/srv.pem" --key "$HC_TMP/srv.key"
	local p n i
	p=$(hc_port tls)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 200, "timeout_ms": 150},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["v"], "checks": [
	    {"type": "https", "port": $p, "resume": true}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v --match state=up --reason "HTTP 200" >/dev/null
	sleep 1
	local full
	n=$(hc_metric 'nlb_hc_tls_handshakes_total{resumed="yes"}')
	full=$(hc_metric 'nlb_hc_tls_handshakes_total{resumed="no"}')
	# a check that fails (a slow moment here) drops its session: allow it
	t_check "resumed handshakes with resume on: $n, full $full" \
		test "$n" -ge 3 -a "$full" -lt "$n"
	# "resume": true is psk_dhe_ke: a resumption still exchanges keys
	local none
	none=$(hc_metric 'nlb_hc_tls_negotiated_total{version="1.3",key_exchange="none"}' --default 0)
	t_check "no TLS 1.3 handshake without a key exchange: $none" \
		test "$none" = 0
	sed -i 's/"resume": true/"resume": false/' "$HC_TMP/cfg.json"
	for ((n = 0; n < 50; n++)); do
		[ "$(hc_metric 'nlb_hc_config_reloads_total{result="ok"}')" = 2 ] && break
		sleep 0.1
	done
	local before after
	before=$(hc_metric 'nlb_hc_tls_handshakes_total{resumed="yes"}')
	sleep 1
	after=$(hc_metric 'nlb_hc_tls_handshakes_total{resumed="yes"}')
	t_check "no resumption with resume off ($before -> $after)" \
		[ "$before" = "$after" ]
	t_check "full handshakes go on" \
		[ "$(hc_metric 'nlb_hc_tls_handshakes_total{resumed="no"}')" -ge 4 ]
}

# Resumption without public-key math: TLS 1.3 psk_ke against a server that
# allows it, then TLS 1.2 (tls_max) session resumption.
case_tls_resume_modes() {
	hc_env
	hc_certs
	hc_serve tls ok --cert "$HC_TMP/srv.pem" --key "$HC_TMP/srv.key" \
		--allow-no-dhe
	local p n i
	p=$(hc_port tls)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 200, "timeout_ms": 150},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["v"], "checks": [
	    {"type": "https", "port": $p, "resume": "psk_ke"}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v --match state=up --reason "HTTP 200" >/dev/null
	sleep 1
	n=$(hc_metric 'nlb_hc_tls_handshakes_total{resumed="yes"}')
	t_check "psk_ke: resumed handshakes: $n" test "$n" -ge 3
	local psk
	psk=$(hc_metric 'nlb_hc_tls_negotiated_total{version="1.3",key_exchange="none"}' --default 0)
	t_check "psk_ke: TLS 1.3 resumptions without a key exchange: $psk" \
		test "$psk" -ge 3
	sed -i 's/"resume": "psk_ke"/"resume": true, "tls_max": "1.2"/' \
		"$HC_TMP/cfg.json"
	for ((i = 0; i < 50; i++)); do
		[ "$(hc_metric 'nlb_hc_config_reloads_total{result="ok"}')" = 2 ] && break
		sleep 0.1
	done
	sleep 1.5
	local after
	after=$(hc_metric 'nlb_hc_tls_handshakes_total{resumed="yes"}')
	t_check "TLS 1.2: resumed handshakes go on ($n -> $after)" \
		test "$after" -ge $((n + 3))
	local r12
	r12=$(hc_metric 'nlb_hc_tls_negotiated_total{version="1.2",key_exchange="none"}' --default 0)
	t_check "TLS 1.2 resumptions: $r12" test "$r12" -ge 3
	hc_wait --match vips=v --match state=up --reason "HTTP 200" >/dev/null
}

# ICMP echo over ping sockets, v4 and v6; the black hole times out.
case_icmp() {
	hc_env
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 300, "timeout_ms": 200},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["v4"], "checks": [{"type": "icmp"}]},
	  {"address": "::1", "vips": ["v6"], "checks": [{"type": "icmp"}]},
	  {"address": "198.18.0.2", "vips": ["hole"],
	   "checks": [{"type": "icmp"}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v4 --match state=up --reason "echo reply"
	hc_wait --match vips=v6 --match state=up --reason "echo reply"
	hc_wait --match vips=hole --match state=down --match reason=timeout
}

# A flapping backend: the server answers 503 while a file exists. With
# rise 2 and fall 3 the state moves after exactly 3 failures and 2 passes.
case_rise_fall() {
	hc_env
	hc_serve flap toggle --toggle "$HC_TMP/sick" --hits "$HC_TMP/hits"
	local p t0 t1 t2 ev n
	p=$(hc_port flap)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"backends": [{"address": "127.0.0.1", "vips": ["v"], "checks": [
	  {"type": "http", "port": $p, "interval_ms": 200, "timeout_ms": 150,
	   "rise": 2, "fall": 3}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v --match state=up >/dev/null
	t0=$(date +%s%3N)
	touch "$HC_TMP/sick"
	ev=$(hc_wait --match vips=v --match state=down --reason "HTTP 503")
	t1=$(echo "$ev" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["time_ms"])')
	n=$($HC_PY hits "$HC_TMP/hits" 503 "$t0" "$t1")
	t_check "down after $n failures, fall is 3" [ "$n" = 3 ]
	t1=$(date +%s%3N) # before the switch, so no pass is left out
	rm "$HC_TMP/sick"
	ev=$(hc_wait --match vips=v --match state=up --match prev=down)
	t2=$(echo "$ev" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["time_ms"])')
	n=$($HC_PY hits "$HC_TMP/hits" 200 "$t1" "$t2")
	t_check "up after $n passes, rise is 2" [ "$n" = 2 ]
	# and it flaps on: a second round gives a second pair of events
	touch "$HC_TMP/sick"
	hc_wait --match vips=v --match state=down --count 2 >/dev/null
	rm "$HC_TMP/sick"
	hc_wait --match vips=v --match state=up --match prev=down --count 2 \
		>/dev/null
}

# Two VIPs asking for the same check on the same backend share one probe:
# one event names both VIPs and the server sees one request per interval.
case_dedup() {
	hc_env
	hc_serve web ok --hits "$HC_TMP/hits"
	local p n t0
	p=$(hc_port web)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 200, "timeout_ms": 150},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["vip-b"],
	   "checks": [{"type": "http", "port": $p, "path": "/"}]},
	  {"address": "127.0.0.1", "vips": ["vip-a"],
	   "checks": [{"type": "http", "port": $p}]}]}
	EOF2
	hc_start
	hc_wait --match vips=vip-a,vip-b --match state=up >/dev/null
	t_check "one probe" [ "$(hc_metric nlb_hc_probes)" = 1 ]
	t_check "one backend state" \
		[ "$(hc_metric 'nlb_hc_backends{state="any"}')" = 1 ]
	t0=$(date +%s%3N)
	sleep 2
	n=$($HC_PY hits "$HC_TMP/hits" 200 "$t0" "$(date +%s%3N)")
	t_check "$n requests in 2 s at 200 ms, not twice that" \
		test "$n" -ge 8 -a "$n" -le 12
}

# A reload keeps unchanged checks (no new event, same since_ms), adds new
# ones, removes dropped ones; SIGHUP reloads too.
case_reload() {
	hc_env
	hc_serve web ok
	local p since1 since2
	p=$(hc_port web)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 200, "timeout_ms": 150},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["keep"],
	   "checks": [{"type": "tcp", "port": $p}]},
	  {"address": "127.0.0.2", "vips": ["drop"],
	   "checks": [{"type": "tcp", "port": $p}]}]}
	EOF2
	hc_start
	hc_wait --match vips=keep --match state=up >/dev/null
	hc_wait --match vips=drop --match state=up >/dev/null
	since1=$($HC_PY snapshot "$HC_TMP/ev.sock" | python3 -c 'import json,sys; print([b["since_ms"] for b in json.load(sys.stdin)["backends"] if b["vips"]==["keep"]][0])')
	# replaced by rename, as nlblet writes it
	cat >"$HC_TMP/cfg.new" <<-EOF2
	{"defaults": {"interval_ms": 200, "timeout_ms": 150},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["keep"],
	   "checks": [{"type": "tcp", "port": $p}]},
	  {"address": "127.0.0.3", "vips": ["new"],
	   "checks": [{"type": "tcp", "port": $p}]}]}
	EOF2
	mv "$HC_TMP/cfg.new" "$HC_TMP/cfg.json"
	hc_wait --match vips=new --match state=up >/dev/null
	hc_wait --match vips=drop --match event=removed >/dev/null
	# no event for it after the reload, i.e. none after the removal of
	# "drop" (the recorder's snapshot may repeat a state it also saw live:
	# it connects, then asks for the snapshot)
	t_check "unchanged backend got no new event" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
cut = min(e["seq"] for e in ev if e.get("event") == "removed")
late = [e for e in ev if e.get("vips") == ["keep"] and e["seq"] > cut]
sys.exit(1 if late else 0)' "$HC_TMP/ev.jsonl"
	since2=$($HC_PY snapshot "$HC_TMP/ev.sock" | python3 -c 'import json,sys; print([b["since_ms"] for b in json.load(sys.stdin)["backends"] if b["vips"]==["keep"]][0])')
	t_check "state kept across reload" [ "$since1" = "$since2" ]
	# a VIP joins the kept backend: same state, one event naming both
	sed -i 's/"vips": \["keep"\]/"vips": ["keep", "more"]/' "$HC_TMP/cfg.json"
	kill -HUP $HC_PID
	hc_wait --match vips=keep,more --match state=up >/dev/null
	grep -q 'event=signal signal=HUP' "$HC_TMP/hc.log"
	# start, rename, sed -i (a rename too) and SIGHUP: four loads
	local i n
	for ((i = 0; i < 30; i++)); do
		n=$(hc_metric 'nlb_hc_config_reloads_total{result="ok"}')
		[ "$n" = 4 ] && break
		sleep 0.1
	done
	t_check "four loads counted, got $n" [ "$n" = 4 ]
}

# A bad file is rejected with the key named, and the old config runs on.
case_bad_config() {
	hc_env
	hc_serve web ok
	local p before after
	p=$(hc_port web)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"backends": [{"address": "127.0.0.1", "vips": ["v"],
	  "checks": [{"type": "tcp", "port": $p, "interval_ms": 200,
	  "timeout_ms": 150}]}]}
	EOF2
	hc_start
	hc_wait --match vips=v --match state=up >/dev/null
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"backends": [{"address": "127.0.0.1", "vips": ["v"],
	  "checks": [{"type": "tcp", "port": $p, "interval_ms": 200,
	  "timeout_ms": 500}]}]}
	EOF2
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q event=config_rejected "$HC_TMP/hc.log" && break
		sleep 0.1
	done
	grep 'event=config_rejected' "$HC_TMP/hc.log" |
		grep -q 'backends\[0\].checks\[0\].timeout_ms'
	printf '{"backends": [\n  {"address": }\n' >"$HC_TMP/cfg.json"
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c event=config_rejected "$HC_TMP/hc.log")" = 2 ] && break
		sleep 0.1
	done
	grep 'event=config_rejected' "$HC_TMP/hc.log" | grep -q 'line 2'
	t_check "rejections counted" \
		[ "$(hc_metric 'nlb_hc_config_reloads_total{result="rejected"}')" = 2 ]
	kill -0 $HC_PID
	before=$(hc_metric 'nlb_hc_checks_total{type="tcp",result="pass"}')
	sleep 1
	after=$(hc_metric 'nlb_hc_checks_total{type="tcp",result="pass"}')
	t_check "old checks run on ($before -> $after)" [ "$after" -ge $((before + 3)) ]
	t_check "still one probe" [ "$(hc_metric nlb_hc_probes)" = 1 ]
}

# The state file, a snapshot and the recorded stream agree while a backend
# flaps.
case_agree() {
	hc_env
	hc_serve flap toggle --toggle "$HC_TMP/sick"
	hc_serve web ok
	local f w
	f=$(hc_port flap) w=$(hc_port web)
	cat >"$HC_TMP/cfg.json" <<-EOF2
	{"defaults": {"interval_ms": 200, "timeout_ms": 150, "rise": 1,
	  "fall": 1},
	 "backends": [
	  {"address": "127.0.0.1", "vips": ["flap"],
	   "checks": [{"type": "http", "port": $f}]},
	  {"address": "127.0.0.1", "vips": ["a", "b"], "combine": "any",
	   "checks": [{"type": "tcp", "port": $w}, {"type": "tcp", "port": 1}]},
	  {"address": "127.0.0.1", "vips": ["c"], "combine": "all",
	   "checks": [{"type": "tcp", "port": $w}, {"type": "tcp", "port": 1}]}]}
	EOF2
	hc_start
	hc_wait --match vips=a,b --match state=up >/dev/null
	hc_wait --match vips=c --match state=down \
		--reason "connection refused" >/dev/null
	touch "$HC_TMP/sick"
	hc_wait --match vips=flap --match state=down >/dev/null
	rm "$HC_TMP/sick"
	hc_wait --match vips=flap --match state=up --match prev=down >/dev/null
	sleep 0.3 # the state file is written at most every 50 ms
	$HC_PY agree "$HC_TMP/ev.sock" "$HC_TMP/state.json" "$HC_TMP/ev.jsonl"
}

# --check-config validates without running: the shipped example passes, a
# broken file fails naming the key.
case_check_config() {
	hc_env
	"$HC_BIN" --config "$NLBT_TOP/deploy/nlb-hc.example.json" --check-config |
		grep -q ': ok: 3 backends'
	echo '{"backends": [{"address": "10.0.0.1", "vips": ["a"],
	  "checks": [{"type": "http", "port": 80, "expect": "2xx"}]}]}' \
		>"$HC_TMP/bad.json"
	local out
	out=$("$HC_BIN" --config "$HC_TMP/bad.json" --check-config) && return 1
	echo "$out" | grep -q 'invalid: backends\[0\].checks\[0\].expect'
}

t_run hc_check_config case_check_config
t_run hc_tcp case_tcp
t_run hc_http case_http
t_run hc_https case_https
t_run hc_tls_resume case_tls_resume
t_run hc_tls_resume_modes case_tls_resume_modes
t_run hc_icmp case_icmp
t_run hc_rise_fall case_rise_fall
t_run hc_dedup case_dedup
t_run hc_reload case_reload
t_run hc_bad_config case_bad_config
t_run hc_stream_state_agree case_agree
t_done
