#!/usr/bin/env bash
# bench/grade.sh — chaintool grade beside testssl.sh on the same loopback
# server (nginx in the A+ profile of GRADING.md, an RSA-2048 chain), and
# chaintool serve --check end to end on its demo chain.
#
#   bench/grade.sh                        # 10 runs of chaintool, 1 of testssl.sh
#   RUNS=20 TESTSSL_RUNS=3 bench/grade.sh
#   TESTSSL=/tmp/testssl-3.2/testssl.sh bench/grade.sh
#
# TESTSSL defaults to the installed testssl (Debian's testssl.sh 3.0.8,
# which has no rating) or testssl.sh. A testssl.sh 3.2 checkout fetched to
# /tmp can be named instead: it rates too, and its grade is printed next to
# chaintool's. Nothing fetched is ever committed.
#
# Needs go, openssl, nginx and a testssl. Everything lives in a temporary
# folder removed at the end. Prints the median wall time of each tool, the
# grades, and the ratio testssl.sh/chaintool.
set -euo pipefail

RUNS=${RUNS:-10}
TESTSSL_RUNS=${TESTSSL_RUNS:-1}
TESTSSL=${TESTSSL:-$(command -v testssl || command -v testssl.sh || true)}
cd "$(dirname "$0")/.."
. bench/lib.sh
need go openssl nginx python3
[ -n "$TESTSSL" ] || { log "no testssl found; set TESTSSL"; exit 2; }

T=$(mktemp -d /tmp/chaintool-bench-grade.XXXXXX)
chmod 755 "$T"
NG_PID=""
cleanup() {
	[ -n "$NG_PID" ] && kill "$NG_PID" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# nginx in the A+ profile: TLS 1.2 and 1.3, Mozilla intermediate suites,
# two-year HSTS.
start_nginx() {
	NG_PORT=$(free_port)
	local d=$T/nginx
	mkdir -p "$d/logs"
	cat >"$d/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 1024; }
http {
$(nginx_http_common "$d")
	server {
		listen 127.0.0.1:$NG_PORT ssl;
		server_name localhost;
$(nginx_mozilla_tls "$T/pki")
		location / { return 200 "ok\n"; }
	}
}
CONF
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" &
	NG_PID=$!
	wait_port "$NG_PORT"
}

# seconds CMD...: wall time of one run, in seconds with milliseconds.
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" >"$T/last.out" 2>"$T/last.err" || true
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}

log "building chaintool"
go build -o "$T/chaintool" ./cmd/chaintool
make_chain "$T/pki"
start_nginx
TARGET=127.0.0.1:$NG_PORT

log "chaintool grade $TARGET, $RUNS runs"
for _ in $(seq "$RUNS"); do
	seconds "$T/chaintool" grade --roots "$T/pki/root.pem" --servername localhost "$TARGET"
done >"$T/chaintool.times"
CT_GRADE=$(sed -n '2p' "$T/last.out" | tr -d '|' | awk '{ print $1 }')
CT_SCORE=$(awk '/^score / { sub("/100:", "", $2); print $2 }' "$T/last.out")
CT_PROBES=$(awk '/connections in/ { print $1 }' "$T/last.out")

TESTSSL_ARGS=(--quiet --color 0 --warnings off --ip 127.0.0.1)
TESTSSL_VERSION=$("$TESTSSL" --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -o -m1 '[0-9]\.[0-9][0-9a-z.]*' || echo '?')
TESTSSL_HELP=$("$TESTSSL" --help 2>&1 || true)
if [[ $TESTSSL_HELP == *--add-ca* ]]; then
	TESTSSL_ARGS+=(--add-ca "$T/pki/root.pem")
fi
log "testssl.sh $TESTSSL_VERSION https://localhost:$NG_PORT, $TESTSSL_RUNS run(s) (about a minute each)"
for _ in $(seq "$TESTSSL_RUNS"); do
	seconds "$TESTSSL" "${TESTSSL_ARGS[@]}" "https://localhost:$NG_PORT"
done >"$T/testssl.times"
TS_GRADE=$(awk '/Overall Grade/ { print $3 }' "$T/last.out")
TS_SCORE=$(awk '/Final Score/ { print $3 }' "$T/last.out")
TS_REASONS=$(sed -n '/Grade cap reasons/,/^ *$/p; /Grade warning/,/^ *$/p' "$T/last.out" | sed 's/^ */  /')

log "chaintool serve --check on the demo chain, $RUNS runs"
SERVE_HELP=$("$T/chaintool" serve --help 2>&1 || true)
if [[ $SERVE_HELP == *--check* ]]; then
	for _ in $(seq "$RUNS"); do
		seconds "$T/chaintool" serve --check
	done >"$T/serve.times"
	SV_GRADE=$(sed -n '2p' "$T/last.out" | tr -d '|' | awk '{ print $1 }')
	SV=$(median <"$T/serve.times")
else
	SV="n/a (serve --check not built yet)"
	SV_GRADE="-"
fi

CT=$(median <"$T/chaintool.times")
TS=$(median <"$T/testssl.times")
echo
echo "chaintool grade   median ${CT} s over $RUNS runs  grade ${CT_GRADE} score ${CT_SCORE} (${CT_PROBES} connections)"
echo "testssl.sh ${TESTSSL_VERSION}  median ${TS} s over $TESTSSL_RUNS run(s)  grade ${TS_GRADE:-none (no rating in this version)} score ${TS_SCORE:--}"
[ -n "${TS_REASONS:-}" ] && echo "$TS_REASONS"
echo "serve --check     median ${SV} s over $RUNS runs  grade ${SV_GRADE}"
awk -v a="$TS" -v b="$CT" 'BEGIN { if (b > 0) printf "testssl.sh / chaintool = %.0fx\n", a / b }'
