#!/usr/bin/env bash
# Regenerates the fixtures in this folder with OpenSSL 3 (made with 3.0.19).
# Every encrypted file uses the password "chaintool". The tests compare
# certificates with each other, never with fixed bytes, so regenerated files
# pass as they are. Run from this folder: ./make-fixtures.sh
set -euo pipefail
cnf=openssl-ext.cnf
P=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The test chain: ECDSA P-256 root -> intermediate -> leaf, valid 100 years.
openssl req -x509 "${P[@]}" -keyout "$tmp/root.key" -out root.pem -subj "/O=chaintool test/CN=chaintool test root" -days 36500 -extensions root -config <(cat /etc/ssl/openssl.cnf $cnf)
openssl req "${P[@]}" -keyout "$tmp/inter.key" -out "$tmp/inter.csr" -subj "/O=chaintool test/CN=chaintool test intermediate"
openssl x509 -req -in "$tmp/inter.csr" -CA root.pem -CAkey "$tmp/root.key" -set_serial 0x1001 -days 36500 -extfile $cnf -extensions inter -out inter.pem
openssl req "${P[@]}" -keyout leaf.key -out "$tmp/leaf.csr" -subj "/CN=localhost"
openssl x509 -req -in "$tmp/leaf.csr" -CA inter.pem -CAkey "$tmp/inter.key" -set_serial 0x2002 -days 36500 -extfile $cnf -extensions leaf -out leaf.pem

cat inter.pem root.pem > "$tmp/cas.pem"
cat leaf.pem inter.pem > "$tmp/chain.pem"
openssl x509 -in leaf.pem -outform DER -out leaf.der
openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile "$tmp/cas.pem" -passout pass:chaintool -out modern.pfx
openssl pkcs12 -export -legacy -inkey leaf.key -in leaf.pem -certfile inter.pem -passout pass:chaintool -out legacy-rc2.pfx
openssl pkcs12 -export -legacy -descert -inkey leaf.key -in leaf.pem -certfile inter.pem -passout pass:chaintool -out legacy-3des.pfx
openssl pkcs12 -export -inkey leaf.key -in leaf.pem -passout pass: -out empty-password.pfx
openssl pkcs12 -export -nokeys -in "$tmp/cas.pem" -passout pass:chaintool -out certs-only.pfx
openssl crl2pkcs7 -nocrl -certfile "$tmp/chain.pem" -out chain.p7b
openssl crl2pkcs7 -nocrl -certfile "$tmp/chain.pem" -outform DER -out chain.p7c
openssl pkcs8 -topk8 -in leaf.key -v2 aes-256-cbc -passout pass:chaintool -out leaf-pkcs8-encrypted.key
openssl pkcs8 -topk8 -in leaf.key -v2 aes-256-cbc -v2prf hmacWithSHA512 -passout pass:chaintool -out leaf-pkcs8-sha512.key
openssl pkcs8 -topk8 -in leaf.key -v2 aes-192-cbc -v2prf hmacWithSHA384 -passout pass:chaintool -out leaf-pkcs8-sha384.key
openssl pkcs8 -topk8 -in leaf.key -v2 aes-128-cbc -v2prf hmacWithSHA224 -passout pass:chaintool -out leaf-pkcs8-sha224.key
openssl pkcs8 -topk8 -in leaf.key -v2 des-ede3-cbc -v2prf hmacWithSHA1 -passout pass:chaintool -out leaf-pkcs8-3des-sha1.key
openssl pkcs8 -topk8 -in leaf.key -v1 PBE-SHA1-3DES -passout pass:chaintool -out leaf-pkcs8-v1.key
openssl pkcs12 -export -nomac -inkey leaf.key -in leaf.pem -certfile inter.pem -passout pass:chaintool -out nomac.pfx
openssl pkcs12 -export -nomac -keypbe CAMELLIA-256-CBC -certpbe CAMELLIA-256-CBC -inkey leaf.key -in leaf.pem -passout pass:chaintool -out nomac-camellia.pfx
openssl pkcs12 -export -nomac -certpbe AES-256-CBC -keypbe CAMELLIA-256-CBC -inkey leaf.key -in leaf.pem -passout pass:chaintool -out nomac-camellia-key.pfx
openssl pkcs12 -export -keypbe CAMELLIA-256-CBC -certpbe CAMELLIA-256-CBC -inkey leaf.key -in leaf.pem -passout pass:chaintool -out camellia.pfx
openssl pkcs12 -export -nocerts -inkey leaf.key -passout pass:chaintool -out key-only.pfx
openssl ec -in leaf.key -aes256 -passout pass:chaintool -out leaf-legacy-encrypted.key
openssl x509 -in root.pem -trustout -addtrust serverAuth -out root-trusted.pem
{ cat leaf.key; openssl x509 -in root.pem -text; echo "Some CA notes between blocks."
  openssl x509 -in inter.pem -text; openssl x509 -in leaf.pem -text; } | sed 's/$/\r/' > text-crlf.pem
