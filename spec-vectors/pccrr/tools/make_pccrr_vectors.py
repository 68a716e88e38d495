#!/usr/bin/env python3
"""Writes the MS-PCCRR message vectors of spec-vectors/pccrr/messages/ (Python 3 standard library + the openssl CLI).

Two kinds of vector:

* derived: the seven hex dumps of /work/shared/spec-notes/wire.md section 1.11, transcribed byte for byte. They were
  derived from the MS-PCCRR 2.2 layouts by the spec-notes author, not taken from the specification (which has no hex
  examples). The script re-checks each one against a field-by-field encoding done here, so a transcription slip fails.
* openssl: an encrypted MSG_BLK whose ciphertext comes from `openssl enc -aes-128-cbc` (an independent AES-CBC/PKCS#7
  implementation), wrapped in the MSG_BLK layout by this script. Block = content[i] = i mod 251 for i in 0..65535, the
  single block of spec-vectors/pccrc/v1/derived-65536-sha256; key = the first 16 bytes of that vector's Kp; IV = 00..0f.

Usage: python3 make_pccrr_vectors.py [--check]   (--check compares with the files on disk and writes nothing)
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "messages")
PCCRC = os.path.join(HERE, "..", "..", "pccrc", "v1", "derived-65536-sha256.json")
SEG = bytes(range(0x20, 0x40))  # the segment ID wire.md 1.11 uses: bytes 0x20..0x3F

DERIVED_PROVENANCE = ("Transcribed from the hex dump in /work/shared/spec-notes/wire.md section 1.11. Derived from the "
                      "MS-PCCRR 2.2 layouts by the spec-notes author, not from the specification (MS-PCCRR section 4 has "
                      "no hex dumps). Re-encoded field by field by tools/make_pccrr_vectors.py, which must agree.")


def u32(v):
    return struct.pack(">I", v)


def pad(n):
    return b"\x00" * ((-n) & 3)


def header(ver, mtype, size, crypto):
    return u32(ver) + u32(mtype) + u32(size) + u32(crypto)


def seg_id(sid):
    return u32(len(sid)) + sid + pad(len(sid))


def response(msg):
    return u32(len(msg)) + msg


def ranges(rs):
    return u32(len(rs)) + b"".join(u32(i) + u32(c) for i, c in rs)


def hexdump(text):
    return bytes.fromhex("".join(line[6:] for line in text.strip().splitlines()))


def derived():
    out = []

    body = u32(1) + u32(2)
    out.append(("derived-nego-req", "request", "NegotiateRequest", "2.2.3, 2.2.4.1",
                header(1, 0, 16 + len(body), 1) + body,
                """
0000  00 00 00 01 00 00 00 00 00 00 00 18 00 00 00 01
0010  00 00 00 01 00 00 00 02""",
                {"version": "1.0", "cryptoAlgorithm": "Aes128", "minSupportedVersion": "1.0", "maxSupportedVersion": "2.0"},
                "MSG_NEGO_REQ, ProtVer 1.0, CryptoAlgoId AES_128, supports 1.0..2.0 (24 bytes)."))

    out.append(("derived-nego-resp", "response", "NegotiateResponse", "2.2.2, 2.2.3, 2.2.5.1",
                response(header(1, 1, 16 + len(body), 0) + body),
                """
0000  00 00 00 18 00 00 00 01 00 00 00 01 00 00 00 18
0010  00 00 00 00 00 00 00 01 00 00 00 02""",
                {"version": "1.0", "cryptoAlgorithm": "None", "minSupportedVersion": "1.0", "maxSupportedVersion": "2.0"},
                "MSG_NEGO_RESP with TRANSPORT_RESPONSE_HEADER, advertising 1.0..2.0 (28 bytes)."))

    body = seg_id(SEG) + ranges([(5, 1)]) + u32(0)
    out.append(("derived-getblks-block5", "request", "GetBlocks", "2.2.3, 2.2.4.3",
                header(1, 3, 16 + len(body), 1) + body,
                """
0000  00 00 00 01 00 00 00 03 00 00 00 44 00 00 00 01
0010  00 00 00 20 20 21 22 23 24 25 26 27 28 29 2a 2b
0020  2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b
0030  3c 3d 3e 3f 00 00 00 01 00 00 00 05 00 00 00 01
0040  00 00 00 00""",
                {"version": "1.0", "cryptoAlgorithm": "Aes128", "segmentId": SEG.hex(), "blockRanges": [[5, 1]], "dataForVrfBlock": ""},
                "MSG_GETBLKS for block 5, AES_128 requested, no DataForVrfBlock (68 bytes; iPXE's request shape)."))

    body = seg_id(SEG) + ranges([(0, 4), (8, 2)])
    out.append(("derived-getblklist-two-ranges", "request", "GetBlockList", "2.2.3, 2.2.4.2",
                header(1, 2, 16 + len(body), 1) + body,
                """
0000  00 00 00 01 00 00 00 02 00 00 00 48 00 00 00 01
0010  00 00 00 20 20 21 22 23 24 25 26 27 28 29 2a 2b
0020  2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b
0030  3c 3d 3e 3f 00 00 00 02 00 00 00 00 00 00 00 04
0040  00 00 00 08 00 00 00 02""",
                {"version": "1.0", "cryptoAlgorithm": "Aes128", "segmentId": SEG.hex(), "blockRanges": [[0, 4], [8, 2]]},
                "MSG_GETBLKLIST for ranges [0,4] and [8,2] (72 bytes)."))

    body = seg_id(SEG) + ranges([(0, 2)]) + u32(0)
    out.append(("derived-blklist-one-range", "response", "BlockList", "2.2.2, 2.2.3, 2.2.5.2",
                response(header(1, 4, 16 + len(body), 1) + body),
                """
0000  00 00 00 44 00 00 00 01 00 00 00 04 00 00 00 44
0010  00 00 00 01 00 00 00 20 20 21 22 23 24 25 26 27
0020  28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37
0030  38 39 3a 3b 3c 3d 3e 3f 00 00 00 01 00 00 00 00
0040  00 00 00 02 00 00 00 00""",
                {"version": "1.0", "cryptoAlgorithm": "Aes128", "segmentId": SEG.hex(), "blockRanges": [[0, 2]], "nextBlockIndex": 0},
                "MSG_BLKLIST holding [0,2], NextBlockIndex 0 (72 bytes with TRANSPORT_RESPONSE_HEADER)."))

    body = seg_id(SEG) + u32(5) + u32(0) + u32(0) + u32(0) + u32(0)
    out.append(("derived-blk-not-found", "response", "Block", "2.2.2, 2.2.3, 2.2.5.3",
                response(header(1, 5, 16 + len(body), 0) + body),
                """
0000  00 00 00 48 00 00 00 01 00 00 00 05 00 00 00 48
0010  00 00 00 00 00 00 00 20 20 21 22 23 24 25 26 27
0020  28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37
0030  38 39 3a 3b 3c 3d 3e 3f 00 00 00 05 00 00 00 00
0040  00 00 00 00 00 00 00 00 00 00 00 00""",
                {"version": "1.0", "cryptoAlgorithm": "None", "segmentId": SEG.hex(), "blockIndex": 5, "nextBlockIndex": 0,
                 "blockLength": 0, "vrfBlock": "", "iv": ""},
                "MSG_BLK 'not found' for block 5: plaintext, SizeOfBlock = SizeOfVrfBlock = SizeOfIVBlock = 0 (76 bytes)."))

    rid = bytes(range(16))
    body = rid + u32(1) + seg_id(SEG) + u32(0)
    out.append(("derived-getseglist-one-segment", "request", "GetSegmentList", "2.2.3, 2.2.4.4",
                header(2, 6, 16 + len(body), 1) + body,
                """
0000  00 00 00 02 00 00 00 06 00 00 00 4c 00 00 00 01
0010  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
0020  00 00 00 01 00 00 00 20 20 21 22 23 24 25 26 27
0030  28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37
0040  38 39 3a 3b 3c 3d 3e 3f 00 00 00 00""",
                {"version": "2.0", "cryptoAlgorithm": "Aes128", "requestId": rid.hex(), "segmentIds": [SEG.hex()], "extensibleBlob": ""},
                "MSG_GETSEGLIST v2.0, RequestID 00..0F, one segment, no extensible blob (76 bytes)."))

    vectors = []
    for name, direction, mtype, section, encoded, dump, fields, notes in out:
        transcribed = hexdump(dump)
        if transcribed != encoded:
            raise SystemExit(f"{name}: the wire.md hex dump and the field-by-field encoding differ")
        doc = {"name": name, "source": "derived", "provenance": DERIVED_PROVENANCE, "specSection": "MS-PCCRR " + section,
               "direction": direction, "messageType": mtype, "messageSize": len(transcribed) - (4 if direction == "response" else 0),
               "fields": fields, "notes": notes}
        vectors.append((name, transcribed, doc))
    return vectors


def encrypted_block():
    pccrc = json.load(open(PCCRC))
    seg = pccrc["segments"][0]
    kp = bytes.fromhex(seg["kp"])
    key = kp[:16]
    iv = bytes(range(16))
    plaintext = bytes(i % 251 for i in range(65536))
    if hashlib.sha256(plaintext).hexdigest() != seg["blockHashes"][0]:
        raise SystemExit("the mod-251 block does not match the block hash of derived-65536-sha256")

    command = ["openssl", "enc", "-aes-128-cbc", "-K", key.hex(), "-iv", iv.hex(), "-in", "block.bin", "-out", "block.enc"]
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "block.bin"), "wb") as f:
            f.write(plaintext)
        subprocess.run(command, cwd=tmp, check=True)
        ciphertext = open(os.path.join(tmp, "block.enc"), "rb").read()
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True, check=True).stdout.strip()
    if len(ciphertext) != 65552:
        raise SystemExit(f"expected 65552 bytes of PKCS#7 ciphertext, got {len(ciphertext)}")

    sid = bytes.fromhex(seg["segmentId"])
    body = seg_id(sid) + u32(0) + u32(0) + u32(len(ciphertext)) + ciphertext + pad(len(ciphertext)) + u32(0) + u32(len(iv)) + iv
    encoded = response(header(1, 5, 16 + len(body), 1) + body)
    name = "openssl-blk-aes128-derived-65536"
    doc = {
        "name": name,
        "source": "openssl",
        "provenance": ("Ciphertext made by the openssl CLI (independent AES-128-CBC with its default PKCS#7 padding); the "
                       "MSG_BLK around it assembled by tools/make_pccrr_vectors.py from the MS-PCCRR 2.2.5.3 layout. "
                       "Plaintext, Kp and segment ID are those of spec-vectors/pccrc/v1/derived-65536-sha256."),
        "specSection": "MS-PCCRR 2.2.2, 2.2.3, 2.2.5.3, 5.1; MS-PCCRC 2.2 (Ke = Kp)",
        "direction": "response",
        "messageType": "Block",
        "messageSize": len(encoded) - 4,
        "fields": {"version": "1.0", "cryptoAlgorithm": "Aes128", "segmentId": sid.hex(), "blockIndex": 0, "nextBlockIndex": 0,
                   "blockLength": len(ciphertext), "vrfBlock": "", "iv": iv.hex()},
        "encryption": {
            "plaintext": {"pattern": "mod251", "offset": 0, "length": len(plaintext)},
            "plaintextSha256": hashlib.sha256(plaintext).hexdigest(),
            "pccrcVector": "pccrc/v1/derived-65536-sha256",
            "kp": kp.hex(),
            "key": key.hex(),
            "iv": iv.hex(),
            "ciphertextSha256": hashlib.sha256(ciphertext).hexdigest(),
            "openssl": version,
            "commands": [
                "python3 -c \"import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(65536)))\" > block.bin",
                " ".join(command),
            ],
        },
        "notes": ("Key = first 16 bytes of Kp (iPXE's truncation, wire.md 1.8 / 10.1); 65536 plaintext bytes become 65552 "
                  "ciphertext bytes (one full PKCS#7 block). Not a Windows capture: it shows agreement with openssl, not with Windows."),
    }
    return [(name, encoded, doc)]


def main():
    check = "--check" in sys.argv[1:]
    vectors = derived() + encrypted_block()
    bad = 0
    for name, data, doc in vectors:
        doc["sha256"] = hashlib.sha256(data).hexdigest()
        text = json.dumps(doc, indent=2) + "\n"
        bin_path = os.path.join(OUT, name + ".bin")
        json_path = os.path.join(OUT, name + ".json")
        if check:
            same = os.path.exists(bin_path) and open(bin_path, "rb").read() == data and open(json_path).read() == text
            print(("ok   " if same else "DIFF ") + name)
            bad += 0 if same else 1
        else:
            os.makedirs(OUT, exist_ok=True)
            open(bin_path, "wb").write(data)
            open(json_path, "w").write(text)
            print(f"wrote {name} ({len(data)} bytes)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
