#!/bin/sh
# make-certs.sh OUTDIR: a throwaway CA and a certificate for 127.0.0.1 and
# localhost signed by it, plus a second CA that signed nothing the tests
# trust. The https tests trust the first CA alone (SSL_CERT_FILE, or
# --cacert); nothing here touches the system's trust store.
set -eu
out=$1
mkdir -p "$out"
cd "$out"
conf=openssl.cnf
cat >"$conf" <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
CNF
for ca in ca other-ca; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$ca-key.pem" -out "$ca.pem" -days 3650 -subj "/CN=Fetchboard test $ca" \
    -config "$conf" -extensions ca 2>/dev/null
done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout server-key.pem -out server.csr -subj "/CN=127.0.0.1" -config "$conf" 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
  -out server.pem -days 3650 -extfile "$conf" -extensions server 2>/dev/null
rm -f server.csr ca.srl
