#!/usr/bin/env bash
# bench/serve.sh — chaintool serve against nginx and the seed's Python
# server, side by side in one run, on the same RSA-2048 chain and the same
# small file, under wrk: keep-alive, then a new TLS handshake per request
# (Connection: close). Then the memory of chaintool (and nginx) holding
# 1,000 idle TLS connections.
#
#   bench/serve.sh                 # 3 runs of 10 s per server and mode
#   RUNS=5 DURATION=20s bench/serve.sh
#
# Needs go, openssl, nginx (Debian nginx-light), python3 and wrk. Every
# server listens on a free loopback port; everything lives in a temporary
# folder that is removed at the end. Prints the median requests per second
# of each server and the ratios chaintool/nginx and chaintool/python.
set -euo pipefail

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
IDLE=${IDLE:-1000}
cd "$(dirname "$0")/.."
for tool in go openssl nginx python3 wrk; do
	command -v "$tool" >/dev/null || { echo "bench/serve.sh: $tool is not installed" >&2; exit 2; }
done

T=$(mktemp -d /tmp/chaintool-bench-serve.XXXXXX)
chmod 755 "$T"
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

log() { echo "bench/serve.sh: $*" >&2; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts TCP connections there.
wait_port() {
	for _ in $(seq 100); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	log "nothing listens on port $1"; exit 2
}

# --- the chain: RSA-2048 root -> intermediate -> leaf for localhost ---
make_chain() {
	local d=$T/pki
	mkdir -p "$d"
	cd "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 30 \
		-subj "/CN=Bench Root" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj "/CN=Bench Intermediate" 2>/dev/null
	printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >inter.ext
	openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 \
		-extfile inter.ext -out inter.pem 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=localhost" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >leaf.ext
	openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 20 \
		-extfile leaf.ext -out leaf.pem 2>/dev/null
	cat leaf.pem inter.pem >fullchain.pem
	cat fullchain.pem leaf.key >server.pem
	chmod 644 ./*
	cd - >/dev/null
}

# --- the small file: the size of nginx's welcome page ---
make_site() {
	mkdir -p "$T/site"
	python3 -c 'print("<!DOCTYPE html><title>bench</title>" + "<p>" + "x" * 560 + "</p>")' >"$T/site/index.html"
	chmod -R a+rX "$T/site"
}

start_chaintool() {
	CT_PORT=$(free_port)
	"$T/chaintool" serve "$T/pki/server.pem" --roots "$T/pki/root.pem" --addr "127.0.0.1:$CT_PORT" \
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
	access_log off;
	sendfile on;
	default_type text/html;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	server {
		listen 127.0.0.1:$NG_PORT ssl http2;
		server_name localhost;
		root $T/site;
		ssl_certificate $T/pki/fullchain.pem;
		ssl_certificate_key $T/pki/leaf.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ecdh_curve X25519:prime256v1:secp384r1;
		ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
		ssl_prefer_server_ciphers off;
		ssl_session_timeout 1d;
		ssl_session_cache shared:MozSSL:10m;
		add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
	}
}
CONF
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" &
	NG_PID=$!
	PIDS+=("$NG_PID")
	wait_port "$NG_PORT"
}

start_python() {
	PY_PORT=$(free_port)
	python3 bench/seed_server.py --cert "$T/pki/server.pem" --port "$PY_PORT" --dir "$T/site" 2>/dev/null &
	PY_PID=$!
	PIDS+=("$PY_PID")
	wait_port "$PY_PORT"
}

# rate PORT [wrk args]: requests per second of one wrk run.
rate() {
	local port=$1
	shift
	local out
	out=$(wrk -t2 -c32 -d"$DURATION" "$@" "https://127.0.0.1:$port/index.html" 2>&1)
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		log "port $port $*: $(grep 'Non-2xx\|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
	fi
	awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
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

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

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

log "building chaintool"
go build -o "$T/chaintool" ./cmd/chaintool
make_chain
make_site
start_chaintool
start_nginx
start_python
log "chaintool :$CT_PORT, nginx :$NG_PORT, python :$PY_PORT; $RUNS runs of $DURATION each, alternating"

declare -A R
for mode in keepalive close; do
	args=()
	[ "$mode" = close ] && args=(-H "Connection: close")
	for run in $(seq "$RUNS"); do
		for server in chaintool nginx python; do
			case $server in
			chaintool) port=$CT_PORT ;;
			nginx) port=$NG_PORT ;;
			python) port=$PY_PORT ;;
			esac
			# shellcheck disable=SC2046
			settle "$CT_PID" "$NG_PID" $(pgrep -P "$NG_PID") "$PY_PID"
			r=$(rate "$port" "${args[@]}")
			log "$mode run $run $server: $r req/s"
			R[$mode.$server]+="$r "
		done
	done
done

echo "wrk -t2 -c32 -d$DURATION, median of $RUNS runs (requests/s); RSA-2048 chain, $(wc -c <"$T/site/index.html")-byte file"
printf '%-11s %12s %12s %12s %16s %17s\n' mode chaintool nginx python chaintool/nginx chaintool/python
for mode in keepalive close; do
	ct=$(tr ' ' '\n' <<<"${R[$mode.chaintool]}" | grep . | median)
	ng=$(tr ' ' '\n' <<<"${R[$mode.nginx]}" | grep . | median)
	py=$(tr ' ' '\n' <<<"${R[$mode.python]}" | grep . | median)
	printf '%-11s %12.0f %12.0f %12.0f %16s %17s\n' "$mode" "$ct" "$ng" "$py" "$(ratio "$ct" "$ng")" "$(ratio "$ct" "$py")"
done

ct_before=$(rss_now "$CT_PID")
ct_idle=$(idle_rss "$CT_PORT" "$CT_PID")
ng_pids=$(pgrep -P "$NG_PID" | tr '\n' ' ')
# shellcheck disable=SC2086
ng_idle=$(idle_rss "$NG_PORT" "$NG_PID" $ng_pids)
echo "RSS with $IDLE idle TLS connections: chaintool $ct_idle MiB (${ct_before} MiB before), nginx $ng_idle MiB (master + 2 workers)"
