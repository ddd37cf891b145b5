#!/usr/bin/env bash
# bench/serve.sh — chaintool serve against nginx and the seed's Python
# server, side by side in one run, on the same RSA-2048 chain and the same
# small file, under wrk: keep-alive, then a new TLS connection per request
# (Connection: close). Then the memory of chaintool (and nginx) holding
# 1,000 idle TLS connections.
#
#   bench/serve.sh                 # 3 rounds of 10 s per server and mode
#   RUNS=5 DURATION=20s bench/serve.sh
#   CHAINTOOL_ENV=GOGC=100 bench/serve.sh   # chaintool with a runtime setting
#   KEEP_RESULTS=runs.txt bench/serve.sh    # keep every run's figures
#   CHAINTOOL=/tmp/old/chaintool bench/serve.sh   # a binary built elsewhere
#   PIN=1 bench/serve.sh           # servers on CPU 1, wrk on CPU 0
#
# Needs go, openssl, nginx (Debian nginx-light), python3 and wrk. Every
# server listens on a free loopback port; everything lives in a temporary
# folder that is removed at the end. Prints, per mode, the median requests
# per second of each server and the ratios chaintool/nginx and
# chaintool/python; the CPU time chaintool, nginx and wrk spent per request
# (from /proc: on a machine shared with other work it varies less than
# requests per second do); and how much of the CPUs sat idle or went to
# other processes during the chaintool and the nginx runs.
set -euo pipefail

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
IDLE=${IDLE:-1000}
cd "$(dirname "$0")/.."
. bench/lib.sh
need go openssl nginx python3 wrk

# PIN=1 keeps client and servers off each other's CPU: every server runs
# on CPU 1 only, wrk on CPU 0 only (taskset). Go sizes GOMAXPROCS to the
# CPUs a process may use, so chaintool then runs with GOMAXPROCS=1, and
# nginx's two workers share CPU 1.
SERVER_CPU=()
CLIENT_CPU=()
if [ "${PIN:-0}" = 1 ]; then
	need taskset
	SERVER_CPU=(taskset -c 1)
	CLIENT_CPU=(taskset -c 0)
fi

T=$(mktemp -d /tmp/chaintool-bench-serve.XXXXXX)
chmod 755 "$T"
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# --- the chain: RSA-2048 root -> intermediate -> leaf (bench/lib.sh), and
# the PEM with the chain and the key that chaintool and Python load ---
make_pki() {
	make_chain "$T/pki"
	cat "$T/pki/fullchain.pem" "$T/pki/leaf.key" >"$T/pki/server.pem"
	chmod 644 "$T"/pki/*
}

# --- the small file: the size of nginx's welcome page ---
make_site() {
	mkdir -p "$T/site"
	python3 -c 'print("<!DOCTYPE html><title>bench</title>" + "<p>" + "x" * 560 + "</p>")' >"$T/site/index.html"
	chmod -R a+rX "$T/site"
}

# chaintool runs with the Go runtime's settings a user gets: GOGC,
# GOMEMLIMIT, GOMAXPROCS and GODEBUG are cleared, then CHAINTOOL_ENV (for
# example "GOGC=100") is added, to measure a setting.
start_chaintool() {
	CT_PORT=$(free_port)
	# shellcheck disable=SC2086
	"${SERVER_CPU[@]}" env -u GOGC -u GOMEMLIMIT -u GOMAXPROCS -u GODEBUG ${CHAINTOOL_ENV:-} "$T/chaintool" serve "$T/pki/server.pem" --roots "$T/pki/root.pem" --addr "127.0.0.1:$CT_PORT" \
		--dir "$T/site" --quiet 2>"$T/chaintool.log" &
	CT_PID=$!
	PIDS+=("$CT_PID")
	wait_port "$CT_PORT"
	# Let the start-up self-grade finish before measuring.
	for _ in $(seq 200); do
		grep -q 'self-grade\|self-check' "$T/chaintool.log" && break
		sleep 0.05
	done
	log "chaintool: $(grep -m1 'self-grade\|self-check' "$T/chaintool.log" || echo 'no self-grade line')"
}

# nginx: Mozilla intermediate (guideline 5.8) for nginx 1.22, 2 workers,
# access_log off, HSTS, the same chain and file.
start_nginx() {
	NG_PORT=$(free_port)
	local d=$T/nginx
	mkdir -p "$d/logs"
	local user=""
	[ "$(id -u)" = 0 ] && user="user root;"
	cat >"$d/nginx.conf" <<CONF
$user
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
$(nginx_http_common "$d")
	sendfile on;
	default_type text/html;
	server {
		listen 127.0.0.1:$NG_PORT ssl http2;
		server_name localhost;
		root $T/site;
$(nginx_mozilla_tls "$T/pki")
		ssl_session_timeout 1d;
		ssl_session_cache shared:MozSSL:10m;
	}
}
CONF
	"${SERVER_CPU[@]}" nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" &
	NG_PID=$!
	PIDS+=("$NG_PID")
	wait_port "$NG_PORT"
}

start_python() {
	PY_PORT=$(free_port)
	"${SERVER_CPU[@]}" python3 bench/seed_server.py --cert "$T/pki/server.pem" --port "$PY_PORT" --dir "$T/site" 2>/dev/null &
	PY_PID=$!
	PIDS+=("$PY_PID")
	wait_port "$PY_PORT"
}

# measure SERVER PORT [wrk args]: one wrk run against PORT. Appends to
# $T/results a line "MODE SERVER REQ/S SERVER-US WRK-US LOAD IDLE OTHERS":
# requests per second; the CPU time (user + system) the server's processes
# and wrk spent per request, in microseconds; the 1-minute load average
# before the run; and, in per cent of all CPUs over the run, the time they
# sat idle and the time other processes (not the server, not wrk) used.
measure() {
	local server=$1 port=$2
	shift 2
	local pids out t0 t1 s0 s1 n rps wrk_cpu load
	pids=$(server_pids "$server")
	load=$(cut -d' ' -f1 /proc/loadavg)
	s0=$(machine_ticks)
	# shellcheck disable=SC2086
	t0=$(cpu_ticks $pids)
	out=$({ TIMEFORMAT='wrk-cpu %U %S'; time "${CLIENT_CPU[@]}" wrk -t2 -c32 -d"$DURATION" "$@" "https://127.0.0.1:$port/index.html"; } 2>&1)
	# shellcheck disable=SC2086
	t1=$(cpu_ticks $pids)
	s1=$(machine_ticks)
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		log "$server $*: $(grep 'Non-2xx\|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
	fi
	n=$(awk '/ requests in / { print $1 }' <<<"$out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	wrk_cpu=$(awk '/^wrk-cpu / { print $2 + $3 }' <<<"$out")
	# shellcheck disable=SC2086
	awk -v mode="$MODE" -v s="$server" -v rps="$rps" -v n="$n" -v ticks="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
		-v w="$wrk_cpu" -v load="$load" -v s0="$s0" -v s1="$s1" \
		'BEGIN {
			split(s0, a); split(s1, b); total = b[1] - a[1]; idle = b[2] - a[2]
			others = (total - idle) - ticks - w * hz
			printf "%s %s %.0f %.1f %.1f %s %.0f %.0f\n", mode, s, rps, ticks / hz * 1e6 / n, w * 1e6 / n, load,
				100 * idle / total, 100 * (others > 0 ? others : 0) / total
		}' >>"$T/results"
	log "$MODE $server: $rps req/s (load $load)"
}

# machine_ticks: "TOTAL IDLE" CPU ticks of the whole machine so far (idle
# counts iowait too).
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat; }

server_pids() {
	case $1 in
	chaintool) echo "$CT_PID" ;;
	nginx) echo "$NG_PID" $(pgrep -P "$NG_PID") ;;
	python) echo "$PY_PID" ;;
	esac
}

# settle PID...: wait (up to 10 s) until the processes stop using CPU, so
# that a server still working through a run's backlog (the Python server
# finishes queued handshakes after wrk stops) does not slow the next run.
settle() {
	local before after
	for _ in $(seq 20); do
		before=$(cpu_ticks "$@")
		sleep 0.5
		after=$(cpu_ticks "$@")
		[ "$((after - before))" -le 2 ] && return 0
	done
}

cpu_ticks() {
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# result MODE SERVER COLUMN: the median of one column of the results.
result() { awk -v m="$1" -v s="$2" -v c="$3" '$1 == m && $2 == s { print $c }' "$T/results" | median; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

# idle_rss PORT PID...: open IDLE TLS connections, one keep-alive request
# each, hold them, and print the summed VmRSS of the PIDs in MiB.
idle_rss() {
	local port=$1
	shift
	python3 - "$port" "$IDLE" "$T/pki/root.pem" "$@" <<'PY'
import socket, ssl, sys
port, n, root, pids = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
ctx = ssl.create_default_context(cafile=root)
ctx.set_alpn_protocols(["http/1.1"])
conns = []
for _ in range(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 10), server_hostname="localhost")
    s.sendall(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
    got = b""
    while b"</p>" not in got:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("connection closed early")
        got += chunk
    conns.append(s)
def rss(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
print("%.1f" % (sum(rss(p) for p in pids) / 1024))
PY
}

rss_now() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

if [ -n "${CHAINTOOL:-}" ]; then
	cp "$CHAINTOOL" "$T/chaintool"
else
	log "building chaintool"
	go build -o "$T/chaintool" ./cmd/chaintool
fi
make_pki
make_site
start_chaintool
start_nginx
start_python
log "chaintool :$CT_PORT, nginx :$NG_PORT, python :$PY_PORT; $RUNS runs of $DURATION each, alternating"

: >"$T/results"
for MODE in keepalive close; do
	args=()
	[ "$MODE" = close ] && args=(-H "Connection: close")
	# A 2-second warm-up per server and mode, not counted: caches filled,
	# and the Go heap grown to its working size.
	for port in "$CT_PORT" "$NG_PORT" "$PY_PORT"; do
		"${CLIENT_CPU[@]}" wrk -t2 -c32 -d2s "${args[@]}" "https://127.0.0.1:$port/index.html" >/dev/null 2>&1 || true
	done
	for run in $(seq "$RUNS"); do
		for server in chaintool nginx python; do
			case $server in
			chaintool) port=$CT_PORT ;;
			nginx) port=$NG_PORT ;;
			python) port=$PY_PORT ;;
			esac
			# shellcheck disable=SC2046
			settle $(server_pids chaintool) $(server_pids nginx) $(server_pids python)
			measure "$server" "$port" "${args[@]}"
		done
	done
done

echo "wrk -t2 -c32 -d$DURATION, medians of $RUNS rounds;${CLIENT_CPU[*]:+ servers pinned to CPU 1, wrk to CPU 0;} RSA-2048 chain, $(wc -c <"$T/site/index.html")-byte file; $(nproc) CPUs;" \
	"load average $(awk '{ print $6 }' "$T/results" | median) (the bench included)"
printf '%-10s %12s %12s %12s %16s %17s\n' req/s chaintool nginx python chaintool/nginx chaintool/python
for mode in keepalive close; do
	ct=$(result "$mode" chaintool 3)
	ng=$(result "$mode" nginx 3)
	py=$(result "$mode" python 3)
	printf '%-10s %12.0f %12.0f %12.0f %16s %17s\n' "$mode" "$ct" "$ng" "$py" "$(ratio "$ct" "$ng")" "$(ratio "$ct" "$py")"
done
printf '%-10s %12s %12s %16s %16s\n' "CPU us/req" chaintool nginx "wrk (chaintool)" "wrk (nginx)"
for mode in keepalive close; do
	printf '%-10s %12s %12s %16s %16s\n' "$mode" "$(result "$mode" chaintool 4)" "$(result "$mode" nginx 4)" \
		"$(result "$mode" chaintool 5)" "$(result "$mode" nginx 5)"
done
printf '%-10s %12s %12s %16s %16s\n' "CPU %" "idle (ct)" "idle (nginx)" "others (ct)" "others (nginx)"
for mode in keepalive close; do
	printf '%-10s %12s %12s %16s %16s\n' "$mode" "$(result "$mode" chaintool 7)" "$(result "$mode" nginx 7)" \
		"$(result "$mode" chaintool 8)" "$(result "$mode" nginx 8)"
done
[ -z "${KEEP_RESULTS:-}" ] || cp "$T/results" "$KEEP_RESULTS"

ct_before=$(rss_now "$CT_PID")
ct_idle=$(idle_rss "$CT_PORT" "$CT_PID")
ng_pids=$(pgrep -P "$NG_PID" | tr '\n' ' ')
# shellcheck disable=SC2086
ng_idle=$(idle_rss "$NG_PORT" "$NG_PID" $ng_pids)
echo "RSS with $IDLE idle TLS connections: chaintool $ct_idle MiB (${ct_before} MiB before), nginx $ng_idle MiB (master + 2 workers)"
