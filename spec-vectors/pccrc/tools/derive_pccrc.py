#!/usr/bin/env python3
"""Reference generator for the MS-PCCRC test vectors in spec-vectors/pccrc/.

Independent Python 3 implementation (standard library only) of the Content
Information V1.0 / V2.0 formulas as corrected in the project's research notes
(pccrc.md section 3):

  V1 (H = SHA-256/384/512 chosen by dwHashAlgo):
    BlockHash = H(block)        HoD = H(BlockHash_0 || ... || BlockHash_n-1)
    Ks = H(server secret)       Kp  = HMAC_H(Ks, HoD)
    SegmentId (HoHoDk) = HMAC_H(Kp, HoD || LABEL)
  V2 (T(x) = SHA-512(x)[0:32]):
    HoD = T(segment)  Ks = T(secret)  Kp = HMAC-SHA512(Ks, HoD)[0:32]
    SegmentId = HMAC-SHA512(Kp, HoD || LABEL)[0:32]
  LABEL = UTF-16LE "MS_P2P_CACHING" followed by a UTF-16 NUL (30 bytes).

Order of work:
  1. self-check against the published iPXE values (real Windows output);
  2. build every vector, check the spec section 3 field offsets and lengths,
     and check every hex value the notes list for the derived fixtures;
  3. re-parse every vector with the strict reference parser below (valid
     vectors must parse to exactly what their JSON says; invalid vectors must
     be rejected with the JSON's reason and offset);
  4. write the files (or, with --check, compare them with the files on disk).

Any mismatch raises SystemExit with a message; nothing is written then.
The output is deterministic: re-running reproduces the files byte for byte.

Usage:  python3 spec-vectors/pccrc/tools/derive_pccrc.py [--check]
"""

import hashlib
import hmac
import json
import os
import struct
import sys
import time


# Hex values published in iPXE src/tests/pccrc_test.c (real Windows IIS 8.5 output), as listed in pccrc.md 5.2.
IPXE = {
    'secret': '2a3d73eb435e9f2b8a344267e7467a3c7385c6e055e2b4d30dfec7c38b0ed72c',
    'ks_v1': '7e7808bc36d0dd67f344928421614399497f0e85149f6f2bc4dd7b7856acc1a1',
    'ks_v2': '68e8229a3f1d6c7fe9b3f75911c3f18c9086785177afd73f7d22615570a0e7cc',
    'v1_ci': (
        '00010c80000000000000000000000100000000000000000000007e85010000000100d8d976354a4872e925761803f458'
        'd9daaa67f8e31c630fb74e6a312ef8a25aba11afc0d7949243f94f9c1fab35d9fd1e331fcf7811a2e01d3587b38d770a'
        '29e20200000073c18ab8549110f8e90e71bbc3ab2aa8c44d13f4929499255b660f24ec77800b974bdd65567fdeeccdaf'
        'e457a9503b4548f66ed3b188dcfda0ac382b09711acc'
    ),
    'v1_segments': [
        {'range': (0, 99710), 'hod': 'd8d976354a4872e925761803f458d9daaa67f8e31c630fb74e6a312ef8a25aba',
         'kp': '11afc0d7949243f94f9c1fab35d9fd1e331fcf7811a2e01d3587b38d770a29e2',
         'hohodk': '491b217dbee2b5f12ca79b015e06f4bbe64f9745bad7867aef17de59927edce9',
         'blocks': ['73c18ab8549110f8e90e71bbc3ab2aa8c44d13f4929499255b660f24ec77800b', '974bdd65567fdeeccdafe457a9503b4548f66ed3b188dcfda0ac382b09711acc']},
    ],
    'v2_ci': (
        '000204000000000000000000000000000000000000000000000000000000000000000088000099dee0d0c358e2684b62'
        '330d32b5f1978724a0d0a52bdc5e781fae71ff57a8be3dd458037ed404116bb616d9b14116088520c47cdc50abcea3fa'
        'e188a98ea22df3c00000eba03381d0d0cb74f4b613d8210f37f002a06f3910586096a130d34398c08e66d7bcb8b6eb77'
        '83e4f807647b63f146b52f4ac89ccc7abf5fa11acafc2acf5028586c'
    ),
    'v2_segments': [
        {'range': (0, 39390), 'hod': 'e0d0c358e2684b62330d32b5f1978724a0d0a52bdc5e781fae71ff57a8be3dd4',
         'kp': '58037ed404116bb616d9b14116088520c47cdc50abcea3fae188a98ea22df3c0',
         'hohodk': '3371bbeaddb62353adcef970a06fdf65001e0421f4c7108276b0c37a9f9ec10f',
         'blocks': ['e0d0c358e2684b62330d32b5f1978724a0d0a52bdc5e781fae71ff57a8be3dd4']},
        {'range': (39390, 99710), 'hod': '3381d0d0cb74f4b613d8210f37f002a06f3910586096a130d34398c08e66d7bc',
         'kp': 'b8b6eb7783e4f807647b63f146b52f4ac89ccc7abf5fa11acafc2acf5028586c',
         'hohodk': 'd7e924425e8f4f88f01dc6a9bb1bc37be113ec7917c745d4965c2b55fa163a6e',
         'blocks': ['3381d0d0cb74f4b613d8210f37f002a06f3910586096a130d34398c08e66d7bc']},
    ],
}

# Derived values listed in pccrc.md 5.3 (computed there by an earlier independent script).
# This script must reproduce every one of them, otherwise it stops.
NOTE = {
    'label': '4d0053005f005000320050005f00430041004300480049004e0047000000',
    'ks': {
        'sha256': '5ae6569b5de55b1cb15d1d893b3ffdeafc9b1c00aab131844c36730d6d2fa091',
        'sha384': '3aaa55353d10d0a0c013d4ebe46fbd89d34bd7a926849aa52432aa20f2426da08252436445ecebcc7bbaf46d7c5c361b',
        'sha512': 'de5336e19c45891368f48e9dd5d7642a828c4fbd83e1c9fecf0eb80542b0c33d56c31ca10b24d3442d497516e6629e1d4a2e85e5cd272ad9ae5898bd2a35b5b9',
        'v2_trunc': 'de5336e19c45891368f48e9dd5d7642a828c4fbd83e1c9fecf0eb80542b0c33d',
    },
    'D3': {'ci': (
               '00010c800000000000000000000001000000000000000000000000f4010000000100d36449396b598ea10758414633f2'
               '7b561b8d3a25dcf5ff508e57aa573ba7cefd37298ec9c5d8b88e269df0925d966658859ba4e362d00920092da64204fc'
               '3d7e020000004b640d85ab3ba30fd02c9fc9db4a8928f416322ad27022ea58a65aaee68a4df21ad18f5ab509f6c69d6f'
               'd88da746b04d99a8d8790df8baa5a68b0143e56a923b'
           ),
           'hod': 'd36449396b598ea10758414633f27b561b8d3a25dcf5ff508e57aa573ba7cefd',
           'kp': '37298ec9c5d8b88e269df0925d966658859ba4e362d00920092da64204fc3d7e',
           'hohodk': '784cc201a04478136df716598cc6c8608047bd0536a84738120a115927e6ac31',
           'blocks': ['4b640d85ab3ba30fd02c9fc9db4a8928f416322ad27022ea58a65aaee68a4df2', '1ad18f5ab509f6c69d6fd88da746b04d99a8d8790df8baa5a68b0143e56a923b']},
    'D3b': {'ci': (
                '00010d800000000000000000000001000000000000000000000000f4010000000100792ef307a45913a179f2735c0f60'
                '059172994acc6307ed0b2a34efb5563ca8cd5aba79eb6dbe6d2a8064c73cf1beb15718bb9afc5e19ec29c17d9617612a'
                'de1233d87ff94b408cede51b2e339f6c64cfea8be615157d60dc1f2224bd88c809ae02000000d82c7f97f2256043d47a'
                'ced59cf298fddafe57f697786af4d24695172d2f365e8c143fe41fda6f4683f3a462c3bffb0bcb510f9c6398b4cf1601'
                '70a20b48423e2014cdea388a8ac7b69b0e68e2ba45a0c560a9bf7d51bfc7478576cb70c20106'
            ),
            'length': 230,
            'hohodk': '77abcf3530ab7f91d1a7d84d9aa34f1cc544ce1da5bc82481aa3bfa1c66035dd86cd2c1a6b6a88001a3607799fb9d2ee'},
    'D3c': {'ci': (
                '00010e800000000000000000000001000000000000000000000000f4010000000100de32a37aac1991e3d28d1ea3ca0d'
                '3959f2a328bb8cd82e1eac2ed08c662895fc2716eedda3ab517d4e0116be8de366b91e81ddee4951178200e8e862fc65'
                '1aff77ea89a823c8b4737e259986232605f9bb0927efd0c7ce36e9514730dc0e3cad5a6621258327b14478175113b6d7'
                'b1e04b2796e3e861591179443abf1b19e75902000000ca073ef2daf10b6e3b761d5db007b8f609c7de85419ed2319fdf'
                'd35cc4c4e1f7feb61e5618d9d574552b7e2788d674d7144ea2062b1500173528afb3352e55a4f87acfbbfcf8b2c30f1e'
                'c166b475276ae26586c244d8ce88ed6da0389397e3bc40ab7a4951324a446f436bd666125d7c552e62611fb4b2b3c13b'
                'dacafc839b74'
            ),
            'length': 294,
            'hohodk': '53ea64197ae3ac15179699f559adc92452584c1ef7f61b3d93b734cd842e41f4a8d570c5196fbb73906c35dc5b12d1b765fbdf8d4fc948d5673ab4ade7424282'},
    'D4': {'ci': (
               '0002040000000000000000000000000000000000000000000000000000000000000000cc0000f000db3446f4d2796f24'
               'da89b0e578546a8dc2ac64f037b5985d9e4ac45c8916432ea3991a4877e99048bdaa31b97d410d9ee4acd33934973a61'
               '282be2d19c739e67000154006683254687276eee20315a876cb928e082bb8fe5adbc3a9142b9530344622363208f9262'
               'cf412a0e3c6a85fd7622164ae10b8e6e1d76484ec78f2ea1693e9bf60000b000010f30f9db472ef0cd7408537534e4fc'
               '0781dcd86afe5a54a3be70df6266d1d317a0a8d4bb36df632a7a138b204944108da2d9fc78b5d56944edf2c04fcb4196'
           ),
           'length': 240,
           'segments': [
               {'off': 0, 'cb': 61440, 'hod': 'db3446f4d2796f24da89b0e578546a8dc2ac64f037b5985d9e4ac45c8916432e',
                'kp': 'a3991a4877e99048bdaa31b97d410d9ee4acd33934973a61282be2d19c739e67',
                'hohodk': '7627f80935abdb14b48c9214806a1ddc8a3908e5fe99228acab2e57a2b837435'},
               {'off': 61440, 'cb': 87040, 'hod': '6683254687276eee20315a876cb928e082bb8fe5adbc3a9142b9530344622363',
                'kp': '208f9262cf412a0e3c6a85fd7622164ae10b8e6e1d76484ec78f2ea1693e9bf6',
                'hohodk': '0b6521583e5932bdc8506e31bdd36c6a17a8f94496e8bd367110632f27169be7'},
               {'off': 148480, 'cb': 45056, 'hod': '010f30f9db472ef0cd7408537534e4fc0781dcd86afe5a54a3be70df6266d1d3',
                'kp': '17a0a8d4bb36df632a7a138b204944108da2d9fc78b5d56944edf2c04fcb4196',
                'hohodk': 'fa4241bf2cc51bb79124f168da67f6a1dec195e5426657ef0f9fd0eb2211f0b0'},
           ]},
    'D5': {'ci': (
               '000204000000000000f00000000000000000010000a00000000000000028000000000044000154006683254687276eee'
               '20315a876cb928e082bb8fe5adbc3a9142b9530344622363208f9262cf412a0e3c6a85fd7622164ae10b8e6e1d76484e'
               'c78f2ea1693e9bf6'
           ),
           'length': 104, 'start': 102400, 'end': 112640, 'index': 1, 'off': 61440, 'cb': 87040},
    'D6a': {'length': 16486, 'sha256': '835c57f329b554723de2c643d60792550117c3a59ce675a55541950cf80edd54',
            'header': '00010c800000000000000000000001000000', 'cBlocks': [512],
            'seg0': {'hod': '9a24be2f89616697995ad92f745d46cafaf003d430b0f00483d738680014eb11',
                     'kp': 'ba1dadbc90f3594b7270ff70002ecfe5d98a4feddf9f18dd6a90484e42b2b169',
                     'hohodk': 'c72a78ed798936a81feebb69e7f437c4b0f8472517279de8c7427ce2f617719c',
                     'blockHash0': '4b640d85ab3ba30fd02c9fc9db4a8928f416322ad27022ea58a65aaee68a4df2',
                     'blockHash511': '341bc8fa8d97ad5ab182faac064166196e44a6b5ec77fd3f00cf0079bf745585'},
    },
    'D6b': {'length': 16602, 'sha256': 'ca8dafeeda6c56baaa8f538efa8d5e44ee1367a2b12fc796744688e048c34447',
            'header': '00010c800000000000000000000002000000', 'cBlocks': [512, 1],
            'seg1': {'hod': '897479e2dcd04fcbec094e015324444693723b8678018f8b5cfb77dcb68ef84a',
                     'kp': 'cda9b9b63fab7940c2be9baeb0d580e38e2d9209a87c641f8c191632e0e797e7',
                     'hohodk': '54ca312a965555b69418916acd2c67ef61f7f4abede36eb5d8f270bbc51a5664',
                     'blockHash0': 'aa7225e7d5b0a2552bbb58880b3ec00c286995b801a7aeb69281e76a8b4908de'},
    },
    'D7a': {'ci': (
                '00010c800000000000000000000001000000000000000000000001000000000001001406e05881e299367766d313e26c'
                '05564ec91bf721d31726bd6e46e60689539ab720b26736caad74c2a2ec20d16d09f62b8c5c93be4d5953063db300d951'
                '4685010000006e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'
            ),
            'hohodk': 'fd30f30238739418359b897c506418a41191b30759a23c3d9bebd78b9fe45a6d'},
    'D7b': {'ci': (
                '00010c8000000000000000000000010000000000000000000000000001000000010090df369a7383e1c6da72aa68c8f7'
                'fb6ab1ba311fad0f8bae602fee725c9f659673244131a4683d439f2f5a29256853d196f7b26263774bc7951c5e11bf2f'
                'c74e010000004b640d85ab3ba30fd02c9fc9db4a8928f416322ad27022ea58a65aaee68a4df2'
            ),
            'hohodk': 'f16f514719566de8c2913b2db07316902d0b3c4bb3c2e339c7d719c717d6625e'},
    'D7c': {'ci': (
                '00010c8000000000000000000000010000000000000000000000000002000000010039ffa2490a629ba36d3b91ad1b1d'
                '58b3abf6779ba8fa249e283203fe0e40bd1fb70b4f2b424e13b2984c4e59def33627dd9760bc6c1530820412411d7e7d'
                '7a5d020000004b640d85ab3ba30fd02c9fc9db4a8928f416322ad27022ea58a65aaee68a4df2fe89f108b4028dc360cb'
                'e69ce0ccbe4d9bc8af0123f731304b77327fd495a1f6'
            ),
            'hohodk': 'ded592f76da9dd0b5b2d8a79667bb339c4ec60055e29d18a6cc7c3db42a9150d'},
}


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

SEGMENT_SIZE = 0x2000000          # V1 segment: 32 MiB
BLOCK_SIZE = 0x10000              # V1 block: 64 KiB
MAX_BLOCKS = 512                  # blocks per V1 segment
V2_MAX_SEGMENT = 0x20000          # V2 cbSegment upper bound: 128 KiB
V2_DESC_SIZE = 68                 # SegmentDescriptionV2
V2_HASH_TRUNC_SHA512 = 0x04
INT64_MAX = (1 << 63) - 1         # the C# parser keeps offsets in long

LABEL = 'MS_P2P_CACHING\0'.encode('utf-16-le')

V1_ALGS = {                       # name -> (dwHashAlgo, digest size)
    'sha256': (0x800C, 32),
    'sha384': (0x800D, 48),
    'sha512': (0x800E, 64),
}
V1_ALG_BY_ID = {code: name for name, (code, _) in V1_ALGS.items()}

SPEC_SECRET = b'no more secrets'  # ASCII, as in the spec's section 3 examples

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.dirname(HERE)   # spec-vectors/pccrc


def fail(msg):
    raise SystemExit('derive_pccrc: FAILED: ' + msg)


def expect(what, got, want):
    if isinstance(got, (bytes, bytearray)):
        got = got.hex()
    if isinstance(want, (bytes, bytearray)):
        want = want.hex()
    if got != want:
        fail('%s: got %r, expected %r' % (what, got, want))


def unhex(s):
    return bytes.fromhex(''.join(s) if isinstance(s, (list, tuple)) else s)


# ---------------------------------------------------------------------------
# Cryptographic formulas
# ---------------------------------------------------------------------------

def v1_hash(alg, data):
    return hashlib.new(alg, data).digest()


def v1_ks(alg, secret):
    return v1_hash(alg, secret)


def v1_kp(alg, ks, hod):
    return hmac.new(ks, hod, alg).digest()


def v1_segment_id(alg, kp, hod):
    return hmac.new(kp, hod + LABEL, alg).digest()


def t512(data):
    return hashlib.sha512(data).digest()[:32]


def v2_ks(secret):
    return t512(secret)


def v2_kp(ks, hod):
    return hmac.new(ks, hod, 'sha512').digest()[:32]


def v2_segment_id(kp, hod):
    return hmac.new(kp, hod + LABEL, 'sha512').digest()[:32]


# ---------------------------------------------------------------------------
# Synthetic content: content[i] = i mod 251, produced piecewise (never whole)
# ---------------------------------------------------------------------------

_PERIOD = bytes(i % 251 for i in range(251 + V2_MAX_SEGMENT))


def content_piece(offset, length):
    """Bytes [offset, offset+length) of the mod-251 content (length <= 128 KiB)."""
    assert 0 <= length <= V2_MAX_SEGMENT
    p = offset % 251
    return memoryview(_PERIOD)[p:p + length]


def content_sha256(length):
    h = hashlib.sha256()
    off = 0
    while off < length:
        n = min(V2_MAX_SEGMENT, length - off)
        h.update(content_piece(off, n))
        off += n
    return h.digest()


# ---------------------------------------------------------------------------
# V1 generation
# ---------------------------------------------------------------------------

def ceil_div(a, b):
    return -(-a // b)


def v1_segments(length, alg, ks):
    """All segments of mod-251 content of the given length.

    Returns (segments, sha256 of the content); the content is read once.
    """
    whole = hashlib.sha256()
    segs = []
    for index in range(ceil_div(length, SEGMENT_SIZE)):
        offset = index * SEGMENT_SIZE
        cb = min(SEGMENT_SIZE, length - offset)
        hashes = []
        for k in range(ceil_div(cb, BLOCK_SIZE)):
            piece = content_piece(offset + k * BLOCK_SIZE, min(BLOCK_SIZE, cb - k * BLOCK_SIZE))
            hashes.append(v1_hash(alg, piece))
            whole.update(piece)
        hod = v1_hash(alg, b''.join(hashes))
        kp = v1_kp(alg, ks, hod)
        segs.append({'index': index, 'offset': offset, 'length': cb, 'hod': hod, 'kp': kp,
                     'segmentId': v1_segment_id(alg, kp, hod), 'blocks': hashes})
    return segs, whole.digest()


def p7_block_listing(seg, start, end):
    """Project decision P7 (pccrc.md section 7), kept in this one place.

    A V1 range CI lists, for each segment, the block hashes from block 0 of the
    segment up to the last block that intersects [start, end).  This is what
    the spec examples 3.3/3.5 show and what iPXE assumes.
    Returns (index of first listed block, number of listed blocks).
    """
    seg_end = seg['offset'] + seg['length']
    last = (min(end, seg_end) - 1 - seg['offset']) // BLOCK_SIZE
    return 0, last + 1


class Writer:
    """Byte buffer that remembers the offset of every named field."""

    def __init__(self):
        self.buf = bytearray()
        self.at = {}

    def put(self, name, data):
        self.at[name] = len(self.buf)
        self.buf += data


def build_v1(alg, segs, start, end, dw_read):
    """V1 CI for range [start, end) with an explicit dwReadBytesInLastSegment."""
    code, _ = V1_ALGS[alg]
    first = start // SEGMENT_SIZE
    last = (end - 1) // SEGMENT_SIZE
    listed = segs[first:last + 1]
    w = Writer()
    w.put('Version', struct.pack('<H', 0x0100))
    w.put('dwHashAlgo', struct.pack('<I', code))
    w.put('dwOffsetInFirstSegment', struct.pack('<I', start - listed[0]['offset']))
    w.put('dwReadBytesInLastSegment', struct.pack('<I', dw_read))
    w.put('cSegments', struct.pack('<I', len(listed)))
    for j, s in enumerate(listed):
        w.put('seg%d.ullOffsetInContent' % j, struct.pack('<Q', s['offset']))
        w.put('seg%d.cbSegment' % j, struct.pack('<I', s['length']))
        w.put('seg%d.cbBlockSize' % j, struct.pack('<I', BLOCK_SIZE))
        w.put('seg%d.HoD' % j, s['hod'])
        w.put('seg%d.Kp' % j, s['kp'])
    listing = []
    for j, s in enumerate(listed):
        first_block, count = p7_block_listing(s, start, end)
        w.put('cBlocks%d' % j, struct.pack('<I', count))
        for k in range(first_block, first_block + count):
            w.put('seg%dhash%d' % (j, k), s['blocks'][k])
        listing.append((first_block, count))
    return bytes(w.buf), w.at, listed, listing


# ---------------------------------------------------------------------------
# V2 generation
# ---------------------------------------------------------------------------

def v2_segments(lengths, ks):
    segs = []
    offset = 0
    for index, cb in enumerate(lengths):
        hod = t512(content_piece(offset, cb))
        kp = v2_kp(ks, hod)
        segs.append({'index': index, 'offset': offset, 'length': cb, 'hod': hod, 'kp': kp,
                     'segmentId': v2_segment_id(kp, hod)})
        offset += cb
    return segs


def build_v2(segs, first, count, dw_offset, length_of_range, chunk_sizes, hash_algo=V2_HASH_TRUNC_SHA512):
    listed = segs[first:first + count]
    assert sum(chunk_sizes) == len(listed)
    w = Writer()
    w.put('bMinorVersion', b'\x00')
    w.put('bMajorVersion', b'\x02')
    w.put('bHashAlgo', bytes([hash_algo]))
    w.put('ullStartInContent', struct.pack('>Q', listed[0]['offset']))
    w.put('ullIndexOfFirstSegment', struct.pack('>Q', listed[0]['index']))
    w.put('dwOffsetInFirstSegment', struct.pack('>I', dw_offset))
    w.put('ullLengthOfRange', struct.pack('>Q', length_of_range))
    j = 0
    for c, n in enumerate(chunk_sizes):
        w.put('chunk%d.bChunkType' % c, b'\x00')
        w.put('chunk%d.dwChunkDataLength' % c, struct.pack('>I', n * V2_DESC_SIZE))
        for _ in range(n):
            s = listed[j]
            w.put('seg%d.cb' % j, struct.pack('>I', s['length']))
            w.put('seg%d.HoD' % j, s['hod'])
            w.put('seg%d.Kp' % j, s['kp'])
            j += 1
    return bytes(w.buf), w.at, listed


# ---------------------------------------------------------------------------
# Strict reference parser
#
# Reject(reason, offset): reason is one of the C# enum names; offset is the
# byte offset reported for the problem, chosen by these rules:
#   * a field with a bad value            -> offset of that field
#   * a cross-field check (range fields)  -> offset of the header field named
#                                            by the reason
#   * Truncated                           -> offset of the first field or
#                                            counted array that does not fit
#                                            (a counted array is checked as a
#                                            whole, before anything is allocated)
#   * TrailingData                        -> offset of the first surplus byte
#                                            (V1 only: V2 has no count, so 1-4
#                                            bytes after a chunk are a cut-off
#                                            chunk header, i.e. Truncated)
#   * Overflow                            -> offset of the field whose value
#                                            does not fit a signed 64-bit offset
# Checks run in byte order, header first.
# ---------------------------------------------------------------------------

class Reject(Exception):
    def __init__(self, reason, offset):
        Exception.__init__(self, '%s at %d' % (reason, offset))
        self.reason = reason
        self.offset = offset


def _need(ci, off, n):
    if off + n > len(ci):
        raise Reject('Truncated', off)


def parse(ci):
    _need(ci, 0, 2)
    if ci[0] != 0x00:
        raise Reject('UnsupportedVersion', 0)
    if ci[1] == 0x01:
        return _parse_v1(ci)
    if ci[1] == 0x02:
        return _parse_v2(ci)
    raise Reject('UnsupportedVersion', 1)


def _parse_v1(ci):
    _need(ci, 2, 4)
    code, = struct.unpack_from('<I', ci, 2)
    if code not in V1_ALG_BY_ID:
        raise Reject('UnsupportedHashAlgorithm', 2)
    alg = V1_ALG_BY_ID[code]
    h = V1_ALGS[alg][1]
    _need(ci, 6, 4)
    _need(ci, 10, 4)
    _need(ci, 14, 4)
    dw_off, dw_read, n = struct.unpack_from('<III', ci, 6)
    desc = 16 + 2 * h
    if 18 + n * desc > len(ci):
        raise Reject('Truncated', 18)
    segs = []
    p = 18
    for i in range(n):
        off, cb, bs = struct.unpack_from('<QII', ci, p)
        if off > INT64_MAX or off + cb > INT64_MAX:
            raise Reject('Overflow', p)
        if i == 0:
            if off % SEGMENT_SIZE:
                raise Reject('InvalidSegmentOffset', p)
        elif off != segs[-1]['offset'] + segs[-1]['length']:
            raise Reject('InvalidSegmentOffset', p)
        if cb == 0 or cb > SEGMENT_SIZE or (i < n - 1 and cb != SEGMENT_SIZE):
            raise Reject('InvalidSegmentLength', p + 8)
        if bs != BLOCK_SIZE:
            raise Reject('InvalidBlockSize', p + 12)
        segs.append({'index': off // SEGMENT_SIZE, 'offset': off, 'length': cb, 'blockSize': bs,
                     'hod': ci[p + 16:p + 16 + h], 'kp': ci[p + 16 + h:p + 16 + 2 * h]})
        p += desc
    if n == 0:
        # pccrc.md P11: parse an empty CI gracefully (empty range).
        if dw_off:
            raise Reject('InvalidOffsetInFirstSegment', 6)
        if dw_read:
            raise Reject('InvalidReadBytesInLastSegment', 10)
        start = end = 0
    else:
        first, last = segs[0], segs[-1]
        if dw_off >= first['length']:
            raise Reject('InvalidOffsetInFirstSegment', 6)
        if n == 1:
            if dw_off + dw_read > last['length']:
                raise Reject('InvalidReadBytesInLastSegment', 10)
        elif dw_read > last['length']:
            raise Reject('InvalidReadBytesInLastSegment', 10)
        start = first['offset'] + dw_off
        if dw_read == 0:
            end = last['offset'] + last['length']
        else:
            end = last['offset'] + (dw_off if n == 1 else 0) + dw_read
    for s in segs:
        _need(ci, p, 4)
        count, = struct.unpack_from('<I', ci, p)
        seg_end = s['offset'] + s['length']
        last_hit = (min(end, seg_end) - 1 - s['offset']) // BLOCK_SIZE
        first_hit = (max(start, s['offset']) - s['offset']) // BLOCK_SIZE
        if count > MAX_BLOCKS or count > last_hit + 1:
            raise Reject('TooManyBlocks', p)
        if count < last_hit - first_hit + 1:
            raise Reject('InvalidBlockCount', p)
        _need(ci, p + 4, count * h)
        s['blockCount'] = count
        s['firstBlockIndex'] = last_hit + 1 - count  # P7 parser heuristic
        s['blockHashes'] = [ci[p + 4 + k * h:p + 4 + (k + 1) * h] for k in range(count)]
        p += 4 + count * h
    if p != len(ci):
        raise Reject('TrailingData', p)
    return {'version': 1, 'hashAlgorithm': alg,
            'v1Header': {'offsetInFirstSegment': dw_off, 'readBytesInLastSegment': dw_read, 'segmentCount': n},
            'range': {'start': start, 'end': end}, 'segments': segs}


def _parse_v2(ci):
    _need(ci, 2, 1)
    if ci[2] != V2_HASH_TRUNC_SHA512:
        raise Reject('UnsupportedHashAlgorithm', 2)
    _need(ci, 3, 8)
    _need(ci, 11, 8)
    _need(ci, 19, 4)
    _need(ci, 23, 8)
    start, index, dw_off, length = struct.unpack_from('>QQIQ', ci, 3)
    for value, at in ((start, 3), (index, 11), (length, 23)):
        if value > INT64_MAX:
            raise Reject('Overflow', at)
    segs = []
    chunks = []
    pos = start
    p = 31
    while p < len(ci):
        if len(ci) - p < 5:
            # No count field: bytes after a chunk begin another chunk, so 1-4 of them are a cut-off chunk header.
            raise Reject('Truncated', p)
        if ci[p] != 0x00:
            raise Reject('InvalidChunkType', p)
        data_len, = struct.unpack_from('>I', ci, p + 1)
        if data_len == 0 or data_len % V2_DESC_SIZE:
            raise Reject('InvalidChunkLength', p + 1)
        _need(ci, p + 5, data_len)
        q = p + 5
        for _ in range(data_len // V2_DESC_SIZE):
            cb, = struct.unpack_from('>I', ci, q)
            if cb == 0 or cb > V2_MAX_SEGMENT:
                raise Reject('InvalidSegmentLength', q)
            if pos + cb > INT64_MAX:
                raise Reject('Overflow', q)
            segs.append({'index': index + len(segs), 'offset': pos, 'length': cb,
                         'hod': ci[q + 4:q + 36], 'kp': ci[q + 36:q + 68]})
            pos += cb
            q += V2_DESC_SIZE
        chunks.append({'chunkType': 0, 'segmentCount': data_len // V2_DESC_SIZE})
        p = q
    if not segs:
        raise Reject('Truncated', 31)
    if dw_off >= segs[0]['length']:
        raise Reject('InvalidOffsetInFirstSegment', 19)
    rstart = start + dw_off
    if length == 0:
        rend = pos
    else:
        rend = rstart + length
        if rend > pos or rend <= segs[-1]['offset']:
            raise Reject('InvalidLengthOfRange', 23)
    return {'version': 2, 'hashAlgorithm': 'sha512-truncated',
            'v2Header': {'startInContent': start, 'indexOfFirstSegment': index, 'offsetInFirstSegment': dw_off,
                         'lengthOfRange': length, 'chunks': chunks},
            'range': {'start': rstart, 'end': rend}, 'segments': segs}


# ---------------------------------------------------------------------------
# JSON records
# ---------------------------------------------------------------------------

SPEC_V1 = 'MS-PCCRC 2.1, 2.2, 2.3, 2.3.1.1, 2.3.1.2, 2.5'
SPEC_V2 = 'MS-PCCRC 2.1, 2.2, 2.4, 2.4.1.1, 2.4.1.2, 2.5'
DERIVED_PROV = ('Generated by tools/derive_pccrc.py from content[i] = i mod 251 and the ASCII server secret '
                '"no more secrets", using the corrected formulas of pccrc.md section 3.')
KP_ERRATUM = ('The example text describes SegmentSecret as a hash of (HoD + "no more secrets"); the correct value '
              '(MS-PCCRC 2.2, confirmed by the Windows data in the iPXE vectors) is Kp = HMAC(Ks, HoD) with '
              'Ks = H(secret), and that is what this vector contains.')


def seg_record(s, v1_listing=None, parsed=None):
    r = {'index': s['index'], 'offset': s['offset'], 'length': s['length']}
    if v1_listing is not None:
        first_block, count = v1_listing
        r['blockSize'] = BLOCK_SIZE
        r['blockCount'] = count
        r['firstBlockIndex'] = first_block
    r['hod'] = s['hod'].hex()
    r['kp'] = s['kp'].hex()
    r['segmentId'] = s['segmentId'].hex()
    if v1_listing is not None:
        r['blockHashes'] = [b.hex() for b in s['blocks'][first_block:first_block + count]]
    return r


def record(name, source, provenance, spec, version, alg, secret, ks, content_len, content_hash, ci,
           rng, header, segments, errata=None, notes=None):
    r = {'name': name, 'source': source, 'provenance': provenance, 'specSection': spec,
         'version': version, 'hashAlgorithm': alg,
         'serverSecretHex': secret.hex(), 'ksHex': ks.hex()}
    if content_len is not None:
        r['content'] = {'pattern': 'mod251', 'length': content_len}
        r['contentSha256'] = content_hash.hex()
    r['ciSha256'] = hashlib.sha256(ci).hexdigest()
    r['range'] = {'start': rng[0], 'end': rng[1]}
    r['v1Header' if version == 1 else 'v2Header'] = header
    r['segments'] = segments
    if errata:
        r['errata'] = errata
    if notes:
        r['notes'] = notes
    return r


def check_valid(rec, ci):
    """The strict parser must accept ci and agree with every field of rec."""
    name = rec['name']
    try:
        got = parse(ci)
    except Reject as e:
        fail('%s: reference parser rejected a valid vector: %s' % (name, e))
    for key in ('version', 'hashAlgorithm', 'range'):
        expect('%s %s' % (name, key), got[key], rec[key])
    hk = 'v1Header' if rec['version'] == 1 else 'v2Header'
    expect('%s %s' % (name, hk), got[hk], rec[hk])
    ks = unhex(rec['ksHex'])
    if rec['version'] == 1:
        alg = rec['hashAlgorithm']
        expect(name + ' ks', v1_ks(alg, unhex(rec['serverSecretHex'])), ks)
    else:
        expect(name + ' ks', v2_ks(unhex(rec['serverSecretHex'])), ks)
    by_index = {s['index']: s for s in got['segments']}
    expect(name + ' segment count', len(got['segments']),
           got[hk]['segmentCount'] if rec['version'] == 1 else len(got['segments']))
    for rs in rec['segments']:
        ps = by_index.get(rs['index'])
        if ps is None:
            fail('%s: segment %d not in the CI' % (name, rs['index']))
        for key in ('offset', 'length'):
            expect('%s seg %d %s' % (name, rs['index'], key), ps[key], rs[key])
        expect('%s seg %d hod' % (name, rs['index']), ps['hod'].hex(), rs['hod'])
        expect('%s seg %d kp' % (name, rs['index']), ps['kp'].hex(), rs['kp'])
        hod = ps['hod']
        if rec['version'] == 1:
            expect('%s seg %d kp formula' % (name, rs['index']), v1_kp(alg, ks, hod).hex(), rs['kp'])
            expect('%s seg %d id' % (name, rs['index']), v1_segment_id(alg, ps['kp'], hod).hex(), rs['segmentId'])
            for key in ('blockSize', 'blockCount', 'firstBlockIndex'):
                expect('%s seg %d %s' % (name, rs['index'], key), ps[key], rs[key])
            expect('%s seg %d blocks' % (name, rs['index']), [b.hex() for b in ps['blockHashes']], rs['blockHashes'])
            if ps['firstBlockIndex'] == 0 and (ps['blockCount'] == ceil_div(ps['length'], BLOCK_SIZE)):
                expect('%s seg %d HoD of blocks' % (name, rs['index']),
                       v1_hash(alg, b''.join(ps['blockHashes'])).hex(), rs['hod'])
        else:
            expect('%s seg %d kp formula' % (name, rs['index']), v2_kp(ks, hod).hex(), rs['kp'])
            expect('%s seg %d id' % (name, rs['index']), v2_segment_id(ps['kp'], hod).hex(), rs['segmentId'])


# ---------------------------------------------------------------------------
# Vector construction
# ---------------------------------------------------------------------------

class Output:
    def __init__(self):
        self.files = {}     # relative path -> bytes
        self.valid = {}     # name -> (dir, ci bytes, record)

    def add_valid(self, folder, rec, ci):
        check_valid(rec, ci)
        self.valid[rec['name']] = (folder, ci, rec)
        self._add(folder, rec, ci)

    def add_invalid(self, rec, ci):
        try:
            parse(ci)
        except Reject as e:
            expect(rec['name'] + ' reject reason', e.reason, rec['reason'])
            expect(rec['name'] + ' reject offset', e.offset, rec['offset'])
        else:
            fail(rec['name'] + ': reference parser accepted an invalid vector')
        self._add('invalid', rec, ci)

    def _add(self, folder, rec, ci):
        base = '%s/%s' % (folder, rec['name'])
        if base + '.bin' in self.files:
            fail('duplicate vector ' + base)
        self.files[base + '.bin'] = bytes(ci)
        self.files[base + '.json'] = (json.dumps(rec, indent=2, ensure_ascii=True) + '\n').encode('ascii')


def self_check_ipxe():
    """Reproduce every published iPXE value (real Windows IIS 8.5 output)."""
    expect('LABEL', LABEL.hex(), NOTE['label'])
    secret = unhex(IPXE['secret'])
    ks1 = v1_ks('sha256', secret)
    ks2 = v2_ks(secret)
    expect('iPXE Ks V1', ks1, IPXE['ks_v1'])
    expect('iPXE Ks V2', ks2, IPXE['ks_v2'])
    for s in IPXE['v1_segments']:
        hod = unhex(s['hod'])
        expect('iPXE V1 HoD from block hashes', v1_hash('sha256', unhex(s['blocks'])), hod)
        kp = v1_kp('sha256', ks1, hod)
        expect('iPXE V1 Kp', kp, s['kp'])
        expect('iPXE V1 HoHoDk', v1_segment_id('sha256', kp, hod), s['hohodk'])
    for s in IPXE['v2_segments']:
        hod = unhex(s['hod'])
        kp = v2_kp(ks2, hod)
        expect('iPXE V2 Kp', kp, s['kp'])
        expect('iPXE V2 HoHoDk', v2_segment_id(kp, hod), s['hohodk'])
        expect('iPXE V2 block hash = HoD', s['blocks'], [s['hod']])
    # The label really has to be UTF-16LE with the NUL: the alternatives do not match.
    s = IPXE['v1_segments'][0]
    hod, kp = unhex(s['hod']), unhex(s['kp'])
    for wrong in (b'MS_P2P_CACHING', b'MS_P2P_CACHING\0', 'MS_P2P_CACHING'.encode('utf-16-le')):
        if hmac.new(kp, hod + wrong, 'sha256').hexdigest() == s['hohodk']:
            fail('iPXE HoHoDk also matches a wrong label encoding')
    return secret, ks1, ks2


def ipxe_vectors(out, secret, ks1, ks2):
    notes_common = ('Content bytes are not published, so block hashes and V2 HoDs cannot be recomputed; '
                    'Ks, Kp and the segment ids are recomputed from the secret and HoD by derive_pccrc.py. '
                    'The server secret is the binary 32-byte key from "netsh branchcache exportkey", not a passphrase.')
    ci = unhex(IPXE['v1_ci'])
    s = IPXE['v1_segments'][0]
    seg = {'index': 0, 'offset': 0, 'length': 99710, 'hod': unhex(s['hod']), 'kp': unhex(s['kp']),
           'segmentId': unhex(s['hohodk']), 'blocks': [unhex(b) for b in s['blocks']]}
    rec = record('ipxe-iis85-v1', 'published',
                 'Verbatim V1 content information that a Windows IIS 8.5 server sent for its default iis-85.png '
                 '(99710 bytes), published with the secret key in iPXE src/tests/pccrc_test.c.',
                 SPEC_V1, 1, 'sha256', secret, ks1, None, None, ci, (0, 99710),
                 {'offsetInFirstSegment': 0, 'readBytesInLastSegment': 0, 'segmentCount': 1},
                 [seg_record(seg, (0, 2))],
                 notes='Real Windows output: a whole-content request gets dwReadBytesInLastSegment = 0. ' + notes_common)
    out.add_valid('v1', rec, ci)

    ci = unhex(IPXE['v2_ci'])
    segs = []
    for i, s in enumerate(IPXE['v2_segments']):
        segs.append(seg_record({'index': i, 'offset': s['range'][0], 'length': s['range'][1] - s['range'][0],
                                'hod': unhex(s['hod']), 'kp': unhex(s['kp']), 'segmentId': unhex(s['hohodk'])}))
    rec = record('ipxe-iis85-v2', 'published',
                 'Verbatim V2 content information that a Windows IIS 8.5 server sent for its default iis-85.png '
                 '(99710 bytes), published with the secret key in iPXE src/tests/pccrc_test.c.',
                 SPEC_V2, 2, 'sha512-truncated', secret, ks2, None, None, ci, (0, 99710),
                 {'startInContent': 0, 'indexOfFirstSegment': 0, 'offsetInFirstSegment': 0, 'lengthOfRange': 0,
                  'chunks': [{'chunkType': 0, 'segmentCount': 2}]},
                 segs,
                 notes='Real Windows output: one chunk of two content-defined segments (39390 and 60320 bytes), '
                       'ullLengthOfRange = 0 for the whole resource. ' + notes_common)
    out.add_valid('v2', rec, ci)


def v1_record(name, source, provenance, spec, alg, secret, ks, length, chash, ci, listed, listing,
              start, end, errata=None, notes=None, only=None):
    dw_off, dw_read, n = struct.unpack_from('<III', ci, 6)
    segs = [seg_record(s, l) for s, l in zip(listed, listing) if only is None or s['index'] in only]
    return record(name, source, provenance, spec, 1, alg, secret, ks, length, chash, ci, (start, end),
                  {'offsetInFirstSegment': dw_off, 'readBytesInLastSegment': dw_read, 'segmentCount': n},
                  segs, errata, notes)


def v2_record(name, source, provenance, spec, secret, ks, length, chash, ci, listed, chunk_sizes,
              start, end, errata=None, notes=None):
    st, idx, dw_off, lor = struct.unpack_from('>QQIQ', ci, 3)
    return record(name, source, provenance, spec, 2, 'sha512-truncated', secret, ks, length, chash, ci,
                  (start, end),
                  {'startInContent': st, 'indexOfFirstSegment': idx, 'offsetInFirstSegment': dw_off,
                   'lengthOfRange': lor, 'chunks': [{'chunkType': 0, 'segmentCount': n} for n in chunk_sizes]},
                  [seg_record(s) for s in listed], errata, notes)


def check_offsets(name, at, ci, offsets, total):
    for field, off in offsets.items():
        expect('%s offset of %s' % (name, field), at.get(field), off)
    expect('%s total length' % name, len(ci), total)


def u32le(ci, off):
    return struct.unpack_from('<I', ci, off)[0]


def spec_and_derived_vectors(out):
    secret = SPEC_SECRET
    ks = {alg: v1_ks(alg, secret) for alg in V1_ALGS}
    ks2 = v2_ks(secret)
    for alg in V1_ALGS:
        expect('D_Ks ' + alg, ks[alg], NOTE['ks'][alg])
    expect('D_Ks v2', ks2, NOTE['ks']['v2_trunc'])

    # ---- 128000-byte (125 KiB) content (spec 3.1 - 3.3, D3, D3b, D3c) --------------
    n = 128000
    segs, chash = v1_segments(n, 'sha256', ks['sha256'])

    ci, at, listed, listing = build_v1('sha256', segs, 0, n, n)
    check_offsets('spec 3.1', at, ci,
                  {'Version': 0, 'dwHashAlgo': 2, 'dwOffsetInFirstSegment': 6, 'dwReadBytesInLastSegment': 10,
                   'cSegments': 14, 'seg0.ullOffsetInContent': 18, 'seg0.cbSegment': 26, 'seg0.cbBlockSize': 30,
                   'seg0.HoD': 34, 'seg0.Kp': 66, 'cBlocks0': 98, 'seg0hash0': 102, 'seg0hash1': 134}, 166)
    expect('spec 3.1 header', ci[:18].hex(), '0001' + '0c800000' + '00000000' + '00f40100' + '01000000')
    expect('spec 3.1 cBlocks', u32le(ci, 98), 2)
    expect('spec 3.1 = D3 with dwRead 128000', ci, unhex(NOTE['D3']['ci'])[:10] + struct.pack('<I', 128000)
           + unhex(NOTE['D3']['ci'])[14:])
    expect('spec 3.1 last block bytes', segs[0]['length'] - BLOCK_SIZE, 62464)
    rec = v1_record('spec-3-1-v1-125kb-full-dwread-128000', 'spec-layout',
                    'Layout of MS-PCCRC 3.1 (128000-byte (125 KiB) content, one segment, dwReadBytesInLastSegment = 128000) '
                    'made concrete by tools/derive_pccrc.py with content[i] = i mod 251 and secret "no more secrets".',
                    'MS-PCCRC 3.1 (layout); 2.2, 2.3 (values)', 'sha256', secret, ks['sha256'], n, chash, ci,
                    listed, listing, 0, n, [KP_ERRATUM],
                    'dwReadBytesInLastSegment = 128000 = the full last segment; Windows sends 0 for the same '
                    'meaning (pccrc.md P6). The last block hash covers the final 62464 bytes. Identical to '
                    'spec-3-2 except bytes [10,14).')
    out.add_valid('v1', rec, ci)

    ci, at, listed, listing = build_v1('sha256', segs, 0, n, 0)
    expect('D3 ci (spec 3.2)', ci, unhex(NOTE['D3']['ci']))
    expect('D3 hod', segs[0]['hod'], NOTE['D3']['hod'])
    expect('D3 kp', segs[0]['kp'], NOTE['D3']['kp'])
    expect('D3 hohodk', segs[0]['segmentId'], NOTE['D3']['hohodk'])
    expect('D3 blocks', [b.hex() for b in segs[0]['blocks']], NOTE['D3']['blocks'])
    expect('spec 3.2 length', len(ci), 166)
    rec = v1_record('spec-3-2-v1-125kb-full-dwread-0', 'spec-layout',
                    'Layout of MS-PCCRC 3.2 (128000-byte (125 KiB) content, one segment, dwReadBytesInLastSegment = 0) '
                    'made concrete by tools/derive_pccrc.py with content[i] = i mod 251 and secret "no more secrets".',
                    'MS-PCCRC 3.2 (layout); 2.2, 2.3 (values)', 'sha256', secret, ks['sha256'], n, chash, ci,
                    listed, listing, 0, n, [KP_ERRATUM],
                    'Windows style (dwReadBytesInLastSegment = 0). This is also derived fixture D3 of pccrc.md 5.3 '
                    '(SHA-256, 128000 bytes); there is no separate D3 file.')
    out.add_valid('v1', rec, ci)
    spec_3_2 = ci

    ci, at, listed, listing = build_v1('sha256', segs, 102400, n, 0)
    expect('spec 3.3 header', ci[:18].hex(), '0001' + '0c800000' + '00900100' + '00000000' + '01000000')
    expect('spec 3.3 cBlocks', u32le(ci, 98), 2)
    expect('spec 3.3 length', len(ci), 166)
    rec = v1_record('spec-3-3-v1-125kb-range-100kb-to-end', 'spec-layout',
                    'Layout of MS-PCCRC 3.3 (range [102400, 128000) of the 128000-byte (125 KiB) content) made concrete by '
                    'tools/derive_pccrc.py with content[i] = i mod 251 and secret "no more secrets".',
                    'MS-PCCRC 3.3 (layout); 2.2, 2.3, 2.3.1.2 (values)', 'sha256', secret, ks['sha256'], n, chash, ci,
                    listed, listing, 102400, n,
                    [KP_ERRATUM,
                     'cBlocks = 2 although block 0 [0, 65536) does not intersect the range [102400, 128000); '
                     'MS-PCCRC 2.3.1.2 says only intersecting blocks are listed. The vector follows the example '
                     '(project decision P7: blocks listed from block 0 of the segment).'],
                    'HoD and Kp cover the whole segment even though only part of it is in the range.')
    out.add_valid('v1', rec, ci)

    for alg, tag, name in (('sha384', 'D3b', 'derived-128000-sha384'), ('sha512', 'D3c', 'derived-128000-sha512')):
        asegs, achash = v1_segments(n, alg, ks[alg])
        ci, at, listed, listing = build_v1(alg, asegs, 0, n, 0)
        expect(tag + ' ci', ci, unhex(NOTE[tag]['ci']))
        expect(tag + ' length', len(ci), NOTE[tag]['length'])
        expect(tag + ' hohodk', asegs[0]['segmentId'], NOTE[tag]['hohodk'])
        rec = v1_record(name, 'derived', DERIVED_PROV, SPEC_V1, alg, secret, ks[alg], n, achash, ci,
                        listed, listing, 0, n,
                        notes='Derived fixture %s of pccrc.md 5.3 (layout of spec 3.2 with %s). Assumes Ks = %s(secret) '
                              '(MS-PCCRC 1.1 "same hash algorithm"; the WPTS generator would use SHA-256). '
                              'Windows peers use SHA-256 only.' % (tag, alg.upper(), alg.upper()))
        out.add_valid('v1', rec, ci)

    # ---- 125 MiB content (spec 3.4, 3.5) ---------------------------------
    n = 131072000
    segs, chash = v1_segments(n, 'sha256', ks['sha256'])
    ci, at, listed, listing = build_v1('sha256', segs, 0, n, 0x1D00000)
    check_offsets('spec 3.4', at, ci,
                  {'seg0.ullOffsetInContent': 18, 'seg1.ullOffsetInContent': 98, 'seg2.ullOffsetInContent': 178,
                   'seg3.ullOffsetInContent': 258,
                   'cBlocks0': 338, 'seg0hash0': 342, 'seg0hash511': 16694, 'cBlocks1': 16726, 'seg1hash0': 16730,
                   'seg1hash511': 33082, 'cBlocks2': 33114, 'seg2hash0': 33118, 'seg2hash511': 49470,
                   'cBlocks3': 49502, 'seg3hash0': 49506, 'seg3hash463': 64322}, 64354)
    expect('spec 3.4 header', ci[:18].hex(), '0001' + '0c800000' + '00000000' + '0000d001' + '04000000')
    expect('spec 3.4 segments', [(s['offset'], s['length']) for s in listed],
           [(0, 0x2000000), (0x2000000, 0x2000000), (0x4000000, 0x2000000), (0x6000000, 0x1D00000)])
    expect('spec 3.4 cBlocks', [c for _, c in listing], [512, 512, 512, 464])
    rec = v1_record('spec-3-4-v1-125mb-full', 'spec-layout',
                    'Layout of MS-PCCRC 3.4 (131072000-byte content, four segments, dwReadBytesInLastSegment = '
                    '0x1D00000) made concrete by tools/derive_pccrc.py with content[i] = i mod 251 and secret '
                    '"no more secrets".',
                    'MS-PCCRC 3.4 (layout); 2.2, 2.3 (values)', 'sha256', secret, ks['sha256'], n, chash, ci,
                    listed, listing, 0, n, [KP_ERRATUM],
                    'dwReadBytesInLastSegment = 0x1D00000 = the full last segment (Windows would send 0).')
    out.add_valid('v1', rec, ci)

    end = 0x7C00000
    ci, at, listed, listing = build_v1('sha256', segs, 102400, end, 0x1C00000)
    check_offsets('spec 3.5 (corrected)', at, ci,
                  {'seg0.ullOffsetInContent': 18, 'seg3.ullOffsetInContent': 258, 'cBlocks0': 338,
                   'cBlocks3': 49502, 'seg3hash0': 49506, 'seg3hash447': 63810}, 63842)
    expect('spec 3.5 header', ci[:18].hex(), '0001' + '0c800000' + '00900100' + '0000c001' + '04000000')
    expect('spec 3.5 cBlocks', [c for _, c in listing], [512, 512, 512, 448])
    expect('spec 3.5 range length (KiB)', (end - 102400) // 1024, 126876)
    expect('spec 3.5 last listed block', 0x6000000 + 447 * BLOCK_SIZE, 0x7BF0000)
    rec = v1_record('spec-3-5-v1-125mb-range-100kb-to-124mb', 'spec-layout',
                    'Layout of MS-PCCRC 3.5 (range [102400, 0x7C00000) of the 131072000-byte content) made concrete '
                    'by tools/derive_pccrc.py with content[i] = i mod 251 and secret "no more secrets".',
                    'MS-PCCRC 3.5 (layout); 2.2, 2.3, 2.3.1.2 (values)', 'sha256', secret, ks['sha256'], n, chash, ci,
                    listed, listing, 102400, end,
                    [KP_ERRATUM,
                     'Segment 0 lists 512 block hashes although the range starts in block 1 (offset 102400); '
                     'MS-PCCRC 2.3.1.2 says only intersecting blocks are listed. The vector follows the example '
                     '(project decision P7).',
                     'The example\'s offset table puts the last block hash at 64322 (the 464-hash position of 3.4); '
                     'with 448 hashes in the last segment it is at 63810 and the structure is 63842 bytes long.'],
                    'The last segment is trimmed: 448 of 464 block hashes, the last one covering [0x7BF0000, 0x7C00000).')
    out.add_valid('v1', rec, ci)
    spec_3_4 = out.valid['spec-3-4-v1-125mb-full'][1]

    # ---- V2, 193536-byte content (spec 3.6, 3.7, D4, D5) ------------------
    n = 193536
    lengths = [0xF000, 0x15400, 0xB000]
    expect('spec 3.6 segment lengths sum', sum(lengths), n)
    vsegs = v2_segments(lengths, ks2)
    chash = content_sha256(n)
    for i, want in enumerate(NOTE['D4']['segments']):
        s = vsegs[i]
        expect('D4 seg %d' % i, (s['offset'], s['length'], s['hod'].hex(), s['kp'].hex(), s['segmentId'].hex()),
               (want['off'], want['cb'], want['hod'], want['kp'], want['hohodk']))

    ci, at, listed = build_v2(vsegs, 0, 3, 0, 0x2F400, [3])
    check_offsets('spec 3.6', at, ci,
                  {'bMinorVersion': 0, 'bMajorVersion': 1, 'bHashAlgo': 2, 'ullStartInContent': 3,
                   'ullIndexOfFirstSegment': 11, 'dwOffsetInFirstSegment': 19, 'ullLengthOfRange': 23,
                   'chunk0.bChunkType': 31, 'chunk0.dwChunkDataLength': 32,
                   'seg0.cb': 36, 'seg0.HoD': 40, 'seg0.Kp': 72, 'seg1.cb': 104, 'seg1.HoD': 108, 'seg1.Kp': 140,
                   'seg2.cb': 172, 'seg2.HoD': 176, 'seg2.Kp': 208}, 240)
    expect('spec 3.6 chunk length', ci[32:36].hex(), '000000cc')
    expect('spec 3.6 = D4 with ullLengthOfRange 0x2F400', ci,
           unhex(NOTE['D4']['ci'])[:23] + unhex('000000000002f400') + unhex(NOTE['D4']['ci'])[31:])
    rec = v2_record('spec-3-6-v2-189kb-full', 'spec-layout',
                    'Layout of MS-PCCRC 3.6 (193536-byte content, one chunk of segments 0xF000, 0x15400, 0xB000, '
                    'ullLengthOfRange = 0x2F400) made concrete by tools/derive_pccrc.py with content[i] = i mod 251 '
                    'and secret "no more secrets".',
                    'MS-PCCRC 3.6 (layout); 2.2, 2.4 (values)', secret, ks2, n, chash, ci, listed, [3], 0, n,
                    [KP_ERRATUM,
                     'The example text says the server uses SHA-256 and describes "the entirety of the 125-kilobyte '
                     'content"; V2 uses truncated SHA-512 (bHashAlgo 0x04) and the content is 193536 bytes (189 KiB).',
                     'The example writes the segment byte ranges 1-based.'],
                    'ullLengthOfRange = 0x2F400 is the whole content given as an explicit length; Windows sends 0 '
                    '(see derived-193536-v2-whole, identical except bytes [23,31)).')
    out.add_valid('v2', rec, ci)

    ci, at, listed = build_v2(vsegs, 0, 3, 0, 0, [3])
    expect('D4 ci', ci, unhex(NOTE['D4']['ci']))
    expect('D4 length', len(ci), NOTE['D4']['length'])
    rec = v2_record('derived-193536-v2-whole', 'derived', DERIVED_PROV, SPEC_V2, secret, ks2, n, chash, ci,
                    listed, [3], 0, n,
                    notes='Derived fixture D4 of pccrc.md 5.3: the segments of spec 3.6 with ullLengthOfRange = 0 '
                          '(whole resource), as Windows sends it.')
    out.add_valid('v2', rec, ci)
    d4 = ci

    ci, at, listed = build_v2(vsegs, 1, 1, 0xA000, 0x2800, [1])
    check_offsets('spec 3.7', at, ci, {'ullStartInContent': 3, 'chunk0.dwChunkDataLength': 32, 'seg0.cb': 36}, 104)
    expect('spec 3.7 header', ci[:36].hex(),
           '000204' + '000000000000f000' + '0000000000000001' + '0000a000' + '0000000000002800' + '00' + '00000044')
    expect('D5 ci (spec 3.7 repaired)', ci, unhex(NOTE['D5']['ci']))
    expect('D5 length', len(ci), NOTE['D5']['length'])
    expect('D5 segment', (listed[0]['index'], listed[0]['offset'], listed[0]['length']),
           (NOTE['D5']['index'], NOTE['D5']['off'], NOTE['D5']['cb']))
    rng = (0xF000 + 0xA000, 0xF000 + 0xA000 + 0x2800)
    expect('D5 range', rng, (NOTE['D5']['start'], NOTE['D5']['end']))
    rec = v2_record('spec-3-7-v2-189kb-range-100kb-to-110kb', 'spec-layout',
                    'Layout of MS-PCCRC 3.7 (range [0x19000, 0x1B800) of the 193536-byte content, one segment of '
                    'index 1) made concrete by tools/derive_pccrc.py with content[i] = i mod 251 and secret '
                    '"no more secrets", bHashAlgo repaired to 0x04.',
                    'MS-PCCRC 3.7 (layout); 2.2, 2.4 (values)', secret, ks2, n, chash, ci, listed, [1], rng[0], rng[1],
                    [KP_ERRATUM,
                     'The example has bHashAlgo = 0x01; the only defined value is 0x04 (truncated SHA-512). Repaired '
                     'here; the verbatim bytes are invalid/spec-3-7-verbatim-hashalgo-01.'],
                    'Also derived fixture D5 of pccrc.md 5.3. ullLengthOfRange is a length: [0xF000 + 0xA000, +0x2800).')
    out.add_valid('v2', rec, ci)
    spec_3_7 = ci

    # ---- edge-length V1 SHA-256 fixtures ----------------------------------
    note_ci = {1: 'D7a', 65536: 'D7b', 131072: 'D7c'}
    edge = [(1, 'derived-1-sha256'), (65535, 'derived-65535-sha256'), (65536, 'derived-65536-sha256'),
            (65537, 'derived-65537-sha256'), (131072, 'derived-131072-sha256'),
            (SEGMENT_SIZE - 1, 'derived-32mib-minus-1-sha256'), (SEGMENT_SIZE, 'derived-32mib-sha256'),
            (SEGMENT_SIZE + 1, 'derived-32mib-plus-1-sha256')]
    for n, name in edge:
        segs, chash = v1_segments(n, 'sha256', ks['sha256'])
        ci, at, listed, listing = build_v1('sha256', segs, 0, n, 0)
        tag = note_ci.get(n)
        if tag:
            expect(tag + ' ci', ci, unhex(NOTE[tag]['ci']))
            expect(tag + ' hohodk', segs[0]['segmentId'], NOTE[tag]['hohodk'])
        elif n in (SEGMENT_SIZE, SEGMENT_SIZE + 1):
            tag = 'D6a' if n == SEGMENT_SIZE else 'D6b'
            want = NOTE[tag]
            expect(tag + ' length', len(ci), want['length'])
            expect(tag + ' sha256', hashlib.sha256(ci).hexdigest(), want['sha256'])
            expect(tag + ' header', ci[:18].hex(), want['header'])
            expect(tag + ' cBlocks', [c for _, c in listing], want['cBlocks'])
            d6a = NOTE['D6a']['seg0']
            s = segs[0]
            expect(tag + ' seg0', (s['hod'].hex(), s['kp'].hex(), s['segmentId'].hex(), s['blocks'][0].hex(),
                                   s['blocks'][511].hex()),
                   (d6a['hod'], d6a['kp'], d6a['hohodk'], d6a['blockHash0'], d6a['blockHash511']))
            if tag == 'D6b':
                w1 = want['seg1']
                s = segs[1]
                expect('D6b seg1', (s['offset'], s['length'], s['hod'].hex(), s['kp'].hex(), s['segmentId'].hex(),
                                    s['blocks'][0].hex()),
                       (SEGMENT_SIZE, 1, w1['hod'], w1['kp'], w1['hohodk'], w1['blockHash0']))
        what = {1: 'D7a: 1-byte content (one segment, one 1-byte block)',
                65535: 'one block one byte short of 64 KiB',
                65536: 'D7b: exactly one full block, no empty trailing block',
                65537: 'one full block plus a 1-byte block',
                131072: 'D7c: exactly two full blocks',
                SEGMENT_SIZE - 1: 'one segment one byte short of 32 MiB (512 blocks, the last 65535 bytes)',
                SEGMENT_SIZE: 'D6a: exactly 32 MiB, one segment of 512 blocks and no empty trailing segment',
                SEGMENT_SIZE + 1: 'D6b: 32 MiB + 1, a second 1-byte segment with one 1-byte block'}[n]
        rec = v1_record(name, 'derived', DERIVED_PROV, SPEC_V1, 'sha256', secret, ks['sha256'], n, chash, ci,
                        listed, listing, 0, n,
                        notes='Edge length %d: %s. Windows style dwReadBytesInLastSegment = 0.' % (n, what))
        out.add_valid('v1', rec, ci)

    return spec_3_2, spec_3_4, d4, spec_3_7


def large_vector(out, length, name):
    secret = SPEC_SECRET
    ks = v1_ks('sha256', secret)
    segs, chash = v1_segments(length, 'sha256', ks)
    ci, at, listed, listing = build_v1('sha256', segs, 0, length, 0)
    n = len(segs)
    first_above_4g = (1 << 32) // SEGMENT_SIZE
    only = sorted({0, first_above_4g - 1, first_above_4g, n - 1})
    expect(name + ' segment count', n, ceil_div(length, SEGMENT_SIZE))
    expect(name + ' CI length', len(ci), 18 + n * 80 + sum(4 + 32 * c for _, c in listing))
    d6a = NOTE['D6a']['seg0']   # the first 32 MiB are the same bytes as fixture D6a
    expect(name + ' seg0 = D6a seg0', (segs[0]['hod'].hex(), segs[0]['kp'].hex(), segs[0]['segmentId'].hex()),
           (d6a['hod'], d6a['kp'], d6a['hohodk']))
    expect(name + ' segment %d end' % (first_above_4g - 1),
           segs[first_above_4g - 1]['offset'] + segs[first_above_4g - 1]['length'], 1 << 32)
    listed_desc = ', '.join('%d (offset 0x%x, %d bytes)' % (i, segs[i]['offset'], segs[i]['length']) for i in only)
    rec = v1_record(name, 'derived', DERIVED_PROV, SPEC_V1, 'sha256', secret, ks, length, chash, ci,
                    listed, listing, 0, length, only=set(only),
                    notes='Content of %d bytes (crosses the 32-bit boundary); the content itself is not stored. '
                          '"segments" lists only segments %s out of %d; all others are in the .bin. Segment %d ends '
                          'exactly at 0x100000000 and segment %d is the first one above it. '
                          'Windows style dwReadBytesInLastSegment = 0.'
                          % (length, listed_desc, n, first_above_4g - 1, first_above_4g))
    out.add_valid('v1', rec, ci)


def invalid_vectors(out, spec_3_2, spec_3_4, d4, spec_3_7):
    bases = {name: out.valid[name][1] for name in out.valid}

    def mutate(name, base, reason, offset, edits=(), append=b'', truncate=None, what='', source='derived',
               notes=''):
        ci = bytearray(bases[base])
        folder = out.valid[base][0]
        parts = []
        for at, new in edits:
            old = bytes(ci[at:at + len(new)])
            ci[at:at + len(new)] = new
            parts.append('bytes [%d,%d) changed from %s to %s' % (at, at + len(new), old.hex(), new.hex()))
        if truncate is not None:
            parts.append('truncated from %d to %d bytes' % (len(ci), truncate))
            del ci[truncate:]
        if append:
            parts.append('%d byte(s) %s appended at offset %d' % (len(append), append.hex(), len(ci)))
            ci += append
        prov = 'Copy of %s/%s: %s (%s).' % (folder, base, '; '.join(parts), what)
        rec = {'name': name, 'source': source, 'provenance': prov, 'reason': reason, 'offset': offset,
               'notes': notes}
        out.add_invalid(rec, bytes(ci))

    b32 = lambda v: struct.pack('<I', v)
    s32 = 'spec-3-2-v1-125kb-full-dwread-0'
    s34 = 'spec-3-4-v1-125mb-full'
    s37 = 'spec-3-7-v2-189kb-range-100kb-to-110kb'
    d4n = 'derived-193536-v2-whole'
    m32 = 'derived-32mib-sha256'

    mutate('spec-3-7-verbatim-hashalgo-01', s37, 'UnsupportedHashAlgorithm', 2, [(2, b'\x01')],
           what='bHashAlgo 0x04 -> 0x01, i.e. the bytes exactly as MS-PCCRC 3.7 describes them',
           source='spec-layout',
           notes='Erratum in MS-PCCRC 3.7: bHashAlgo = 0x01 is not defined (only 0x04). A strict parser rejects the '
                 'verbatim example; the repaired form is v2/spec-3-7-v2-189kb-range-100kb-to-110kb.')
    mutate('v1-version-0101', s32, 'UnsupportedVersion', 0, [(0, b'\x01\x01')],
           what='Version 0x0100 -> 0x0101, minor version 1',
           notes='Byte 0 (minor version) must be 0x00 for both V1 (00 01) and V2 (00 02).')
    mutate('v1-hashalgo-800b', s32, 'UnsupportedHashAlgorithm', 2, [(2, b32(0x800B))],
           what='dwHashAlgo 0x800C -> 0x800B',
           notes='Only 0x800C, 0x800D and 0x800E are defined.')
    mutate('v1-blocksize-32768', s32, 'InvalidBlockSize', 30, [(30, b32(32768))],
           what='cbBlockSize of segment 0: 65536 -> 32768',
           notes='cbBlockSize MUST be 65536.')
    mutate('v1-trailing-byte', s32, 'TrailingData', 166, append=b'\x00', what='one extra byte after the structure',
           notes='Offset = first surplus byte.')
    mutate('v1-offset-in-first-segment-eq-cbsegment', s32, 'InvalidOffsetInFirstSegment', 6,
           [(6, b32(128000))], what='dwOffsetInFirstSegment 0 -> 128000 = cbSegment of the first segment',
           notes='dwOffsetInFirstSegment must be < cbSegment of the first segment. Offset = the header field; a '
                 'parser can only detect this after reading the first SegmentDescription (offset 18).')
    mutate('v1-cblocks-513', m32, 'TooManyBlocks', 98, [(98, b32(513))],
           append=bases[m32][102:134],
           what='cBlocks of segment 0: 512 -> 513, and a 513th hash (a copy of block hash 0) appended so the '
                'length is consistent',
           notes='At most 512 blocks per segment; a 32 MiB segment has exactly 512.')
    mutate('v1-csegments-ffffffff-short-body', s32, 'Truncated', 18, [(14, b32(0xFFFFFFFF))],
           what='cSegments 1 -> 0xFFFFFFFF with the original 148-byte body',
           notes='The parser must compare cSegments x (16 + 2h) with the remaining bytes (in 64-bit arithmetic) '
                 'before allocating anything. Offset = start of the SegmentDescription array that does not fit.')
    mutate('v1-truncated-last-byte', s32, 'Truncated', 102, truncate=len(bases[s32]) - 1,
           what='last byte removed',
           notes='The BlockHashes array of segment 0 (2 x 32 bytes at offset 102) does not fit. Offset = start '
                 'of that array (counted arrays are checked as a whole).')
    mutate('v1-cblocks-exceeds-segment', s32, 'TooManyBlocks', 98, [(98, b32(3))],
           append=bases[s32][102:134],
           what='cBlocks of segment 0: 2 -> 3, and a third hash (a copy of block hash 0) appended',
           notes='A 128000-byte segment has only 2 blocks (and the range ends in block 1).')
    mutate('v1-readbytes-beyond-segment', s32, 'InvalidReadBytesInLastSegment', 10, [(10, b32(128001))],
           what='dwReadBytesInLastSegment 0 -> 128001',
           notes='Single segment: dwOffsetInFirstSegment + dwReadBytesInLastSegment must be <= cbSegment.')
    mutate('v1-segment-offset-gap', s34, 'InvalidSegmentOffset', 98,
           [(98, struct.pack('<Q', 0x2010000))],
           what='ullOffsetInContent of segment 1: 0x2000000 -> 0x2010000',
           notes='Each segment must start where the previous one ends (and the first at a multiple of 32 MiB).')
    mutate('v1-nonfinal-segment-short', s34, 'InvalidSegmentLength', 26, [(26, b32(0x1FFFFFF))],
           what='cbSegment of segment 0 (not the last): 0x2000000 -> 0x1FFFFFF',
           notes='Every segment but the last must be exactly 32 MiB.')

    mutate('v2-chunk-type-01', d4n, 'InvalidChunkType', 31, [(31, b'\x01')], what='bChunkType 0x00 -> 0x01',
           notes='Only chunk type 0x00 is defined.')
    mutate('v2-chunk-length-67', s37, 'InvalidChunkLength', 32, [(32, struct.pack('>I', 67))],
           what='dwChunkDataLength 68 -> 67',
           notes='dwChunkDataLength must be a non-zero multiple of 68.')
    mutate('v2-chunk-length-0', d4n, 'InvalidChunkLength', 32, [(32, struct.pack('>I', 0))],
           what='dwChunkDataLength 204 -> 0',
           notes='dwChunkDataLength must be a non-zero multiple of 68 (a lenient parser would read the segment '
                 'data as further chunks).')
    mutate('v2-cbsegment-0', d4n, 'InvalidSegmentLength', 36, [(36, struct.pack('>I', 0))],
           what='cbSegment of segment 0: 0xF000 -> 0',
           notes='cbSegment must be 1 .. 131072.')
    mutate('v2-cbsegment-131073', d4n, 'InvalidSegmentLength', 36, [(36, struct.pack('>I', 131073))],
           what='cbSegment of segment 0: 0xF000 -> 131073',
           notes='cbSegment must be 1 .. 131072 (128 KiB).')
    mutate('v2-trailing-byte', d4n, 'Truncated', 240, append=b'\x00', what='one extra byte after the last chunk',
           notes='V2 has no chunk count: bytes after the last chunk start another chunk, so 1-4 of them are a '
                 'cut-off chunk header (Truncated, offset = where that header starts). This keeps the rule that every '
                 'proper prefix of a valid V2 CI that ends inside a chunk is Truncated.')
    mutate('v2-hashalgo-01', d4n, 'UnsupportedHashAlgorithm', 2, [(2, b'\x01')], what='bHashAlgo 0x04 -> 0x01',
           notes='Same defect as the MS-PCCRC 3.7 example, on a whole-content CI.')
    mutate('v2-chunk-truncated', d4n, 'Truncated', 36, truncate=len(bases[d4n]) - 1, what='last byte removed',
           notes='The chunk announces 204 data bytes but only 203 follow. Offset = start of the chunk data.')
    mutate('v2-start-overflow', s37, 'Overflow', 3, [(3, struct.pack('>Q', 0xFFFFFFFFFFFF0000))],
           what='ullStartInContent 0xF000 -> 0xFFFFFFFFFFFF0000',
           notes='The segment offsets do not fit a signed 64-bit value. Offset = the ullStartInContent field; a '
                 'parser that keeps unsigned values and detects the overflow when adding cbSegment would see it '
                 'at 36.')
    mutate('major-version-03', d4n, 'UnsupportedVersion', 1, [(1, b'\x03')],
           what='major version byte 0x02 -> 0x03',
           notes='Only major versions 1 and 2 are defined (byte 1 after a 0x00 minor byte).')


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

LARGE_LENGTH = (1 << 32) + 100
LARGE_NAME = 'derived-4gib-plus-100-sha256'


def main(argv):
    check_only = '--check' in argv
    t0 = time.time()
    out = Output()
    secret, ks1, ks2 = self_check_ipxe()
    print('self-check against the published iPXE values: OK', file=sys.stderr)
    ipxe_vectors(out, secret, ks1, ks2)
    bases = spec_and_derived_vectors(out)
    print('spec layouts and pccrc.md 5.3 values reproduced: OK (%.1f s)' % (time.time() - t0), file=sys.stderr)
    invalid_vectors(out, *bases)
    t1 = time.time()
    large_vector(out, LARGE_LENGTH, LARGE_NAME)
    print('large fixture (%d bytes of content): %.1f s' % (LARGE_LENGTH, time.time() - t1), file=sys.stderr)

    bad = []
    for rel, data in sorted(out.files.items()):
        path = os.path.join(OUT_DIR, *rel.split('/'))
        if check_only:
            try:
                with open(path, 'rb') as f:
                    if f.read() != data:
                        bad.append(rel + ' differs')
            except FileNotFoundError:
                bad.append(rel + ' missing')
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(data)
    for folder in ('v1', 'v2', 'invalid'):
        d = os.path.join(OUT_DIR, folder)
        if os.path.isdir(d):
            for fn in sorted(os.listdir(d)):
                if '%s/%s' % (folder, fn) not in out.files:
                    print('warning: %s/%s is not produced by this script' % (folder, fn), file=sys.stderr)
    if bad:
        fail('files on disk do not match:\n  ' + '\n  '.join(bad))
    print('%s %d files in %s (%.1f s)' % ('checked' if check_only else 'wrote', len(out.files), OUT_DIR,
                                           time.time() - t0), file=sys.stderr)


if __name__ == '__main__':
    main(sys.argv[1:])
