#!/usr/bin/env bash
# Builds the MS-PCHC fixtures from the byte layouts of wire.md §3.2/§3.3 with printf and xxd only (no project code).
# Run from this folder: bash make-fixtures.sh
set -euo pipefail
hex() { printf '%s' "$*" | tr -d ' \n' | xxd -r -p; }
hash32='202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f'
ipxe=../pccrc/v1/ipxe-iis85-v1.bin                 # real IIS 8.5 content information V1, one segment
two=../pccrc/v1/derived-32mib-plus-1-sha256.bin    # content information V1 with two segments

# wire.md §3.6 fixture 1: INITIAL_OFFER v1.0, PCCRR port 8282 (0x205a), HoHoDk 0x20..0x3f (48 bytes).
hex "00 01 0001 00000000  205a 000000000000  $hash32" > derived-initial-offer-v1.bin
# wire.md §3.6 fixture 2: BATCHED_OFFER v2.0, port 80, one descriptor (75 bytes).
descriptor="00010000 00010000 0010 00000000000000000000000000000000 04 $hash32"
hex "00 02 0003 00000000  0050 000000000000  $descriptor" > derived-batched-offer-v2.bin
# MS-PCHC 2.2.2 responses.
hex "00000001 00" > derived-response-ok.bin
hex "00000001 01" > derived-response-interested.bin
# SEGMENT_INFO v1.0: port 8282, content tag ASCII "WinINet" zero-padded to 16 bytes, then iPXE's IIS content
# information verbatim (one segment).
{ hex "00 01 0002 00000000  205a 000000000000  57696e494e6574000000000000000000"; cat "$ipxe"; } > derived-segment-info-v1-ipxe.bin

# Envelopes that are well formed but must not be pulled (wire.md §3.4 / §8): answered OK, nothing fetched.
{ hex "00 01 0002 00000000  205a 000000000000  57696e494e6574000000000000000000"; head -c 2 "$ipxe"; hex "ffff0000"; tail -c +7 "$ipxe"; } > derived-segment-info-v1-bad-hash-algorithm.bin
{ hex "00 01 0002 00000000  205a 000000000000  57696e494e6574000000000000000000"; cat "$two"; } > derived-segment-info-v1-two-segments.bin
hex "00 02 0003 00000000  0050 000000000000  00010000 00010000 0010 00000000000000000000000000000000 fe $hash32" > derived-batched-offer-v2-unknown-hash-algorithm.bin

# Malformed: dropped without a PCHC response (wire.md §3.4 / §8).
hex "00 fe 0001 00000000  205a 000000000000  $hash32" > invalid-major-version-fe.bin
hex "00 01 fefe 00000000  205a 000000000000  $hash32" > invalid-type-fefe.bin
hex "00 02 0003 00000000  0050 000000000000" > invalid-batched-offer-no-descriptor.bin
{ hex "00 02 0003 00000000  0050 000000000000"; for _ in $(seq 129); do hex "$descriptor"; done; } > invalid-batched-offer-129-descriptors.bin
hex "00 02 0003 00000000  0050 000000000000  00010000 00010000 0000 04 $hash32" > invalid-batched-offer-empty-content-tag.bin
hex "00 01 0001 00000000  205a 000000000000  2021222324" > invalid-initial-offer-short-hash.bin
