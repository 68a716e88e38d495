#!/usr/bin/env bash
# Builds the exported-key-file vectors of this folder with openssl and iconv only (no project code), following the
# layout of MS-PCCRC 2.5 as written in shared/spec-notes/pccrc.md §3.3:
#   file = AES-256-CBC, PKCS#7 padding (openssl's default), key = SHA-256(UTF-16LE password, no terminator),
#          IV = 16 zero bytes, over SHA-256(secret key) || secret key.
# Usage: spec-vectors/pccrc/keyfile/make-keyfiles.sh   (rewrites the .bin files next to this script; deterministic)
set -euo pipefail
cd "$(dirname "$0")"

# make <name> <password (UTF-8 text)> <secret key hex>
make() {
  local name=$1 password=$2 secret=$3
  local key check
  key=$(printf '%s' "$password" | iconv -f UTF-8 -t UTF-16LE | openssl dgst -sha256 -r | cut -d' ' -f1)
  check=$(printf '%s' "$secret" | xxd -r -p | openssl dgst -sha256 -r | cut -d' ' -f1)
  printf '%s%s' "$check" "$secret" | xxd -r -p \
    | openssl enc -aes-256-cbc -K "$key" -iv 00000000000000000000000000000000 -out "$name.bin"
  echo "$name: fileKey=$key sha256(secret)=$check file=$(openssl dgst -sha256 -r "$name.bin" | cut -d' ' -f1)"
}

# The 32-byte binary secret key of the iPXE vectors (real Windows output, pccrc.md §5.2).
make exportkey-ipxe-secret 'P@ssw0rd' 2a3d73eb435e9f2b8a344267e7467a3c7385c6e055e2b4d30dfec7c38b0ed72c
# The 15-byte ASCII secret "no more secrets" of the derived vectors, with a non-ASCII password (UTF-16LE of U+00E4,
# U+00F6 and U+20AC), so the plaintext (47 bytes) is not a multiple of the AES block.
make exportkey-no-more-secrets 'Pässwörd€' 6e6f206d6f72652073656372657473
