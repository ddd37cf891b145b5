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

# nginx_http_common DIR: the http-block lines every bench nginx shares: no
# access log, and nginx's temporary folders inside DIR.
nginx_http_common() {
	cat <<CONF
	access_log off;
	client_body_temp_path $1/body;
	proxy_temp_path $1/proxy;
	fastcgi_temp_path $1/fastcgi;
	uwsgi_temp_path $1/uwsgi;
	scgi_temp_path $1/scgi;
CONF
}

# nginx_mozilla_tls PKI: the server-block lines of the A+ profile for the
# chain make_chain wrote in PKI: Mozilla's intermediate configuration for
# nginx (TLS 1.2 and 1.3, the six ECDHE AEAD suites, X25519, P-256,
# P-384) and two-year HSTS on every response.
nginx_mozilla_tls() {
	cat <<CONF
		ssl_certificate $1/fullchain.pem;
		ssl_certificate_key $1/leaf.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ecdh_curve X25519:prime256v1:secp384r1;
		ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
		ssl_prefer_server_ciphers off;
		add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
CONF
}
