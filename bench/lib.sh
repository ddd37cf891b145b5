# bench/lib.sh — helpers the bench scripts share. A script sources it from
# the repository root:
#
#   cd "$(dirname "$0")/.."
#   . bench/lib.sh
#
# Messages go to stderr as "bench/SCRIPT.sh: ...".
# shellcheck shell=bash

BENCH_NAME="bench/${0##*/}"

log() { echo "$BENCH_NAME: $*" >&2; }

# need TOOL...: exit 2 unless every TOOL is installed.
need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 2; }
	done
}

# free_port: a loopback TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts TCP connections there (10 s at
# most, then exit 2).
wait_port() {
	for _ in $(seq 100); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	log "nothing listens on port $1"
	exit 2
}

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# median_of FILE COLUMN: the median of one column of FILE.
median_of() { awk -v c="$2" '{ print $c }' "$1" | median; }

# div A B: A/B with three decimals.
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# make_chain DIR: an RSA-2048 root -> intermediate -> leaf chain for
# localhost and 127.0.0.1 in DIR: root.pem, inter.pem, leaf.pem, their
# keys (root.key, inter.key, leaf.key) and fullchain.pem (leaf and
# intermediate).
make_chain() {
	mkdir -p "$1"
	(
		cd "$1"
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
	)
}
