#!/bin/sh
# The update signing keys: RAUC in the image takes only bundles signed by a certificate of the keyring made here.
# CALLBOX_SIGNING_CERT and CALLBOX_SIGNING_KEY name the release signing certificate and key (PEM) and
# CALLBOX_SIGNING_KEYRING the CA that issued it; without them a development CA and signing key are made once in
# $OUT/keys (outside git, kept between builds: bundles of later builds install on boxes of earlier ones).
set -eux; export LC_ALL=C
keys=$OUT/keys
mkdir -p "$keys"
chmod 0700 "$keys"
if [ -n "${CALLBOX_SIGNING_CERT:-}" ]; then
    cp "$CALLBOX_SIGNING_CERT" "$keys/signing.cert.pem"
    cp "$CALLBOX_SIGNING_KEY" "$keys/signing.key.pem"
    cp "$CALLBOX_SIGNING_KEYRING" "$keys/keyring.pem"
elif [ ! -s "$keys/signing.key.pem" ]; then
    cd "$keys"
    openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -keyout ca.key.pem -out keyring.pem \
        -subj "/O=Callbox development/CN=Callbox development update CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:3072 -nodes -keyout signing.key.pem -out signing.csr.pem \
        -subj "/O=Callbox development/CN=Callbox development update signing"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > signing.ext
    openssl x509 -req -days 3650 -in signing.csr.pem -CA keyring.pem -CAkey ca.key.pem -CAcreateserial \
        -extfile signing.ext -out signing.cert.pem
    rm -f signing.csr.pem signing.ext
fi
openssl verify -CAfile "$keys/keyring.pem" "$keys/signing.cert.pem"
