#!/usr/bin/env python3
"""Independent reader for TensorBoard event files (TFRecord framing + Event/Summary protobuf), standard library only.

Checks both masked CRC-32C checksums of every record and prints `tag step value` for each scalar.
Usage: tests/tools/read_tfevents.py RUN/tensorboard/**/events.out.tfevents.*
"""
import struct, sys

def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def masked(data: bytes) -> int:
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]; i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80: return value, i
        shift += 7

def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0: value, i = varint(buf, i)
        elif wire == 1: value = buf[i:i + 8]; i += 8
        elif wire == 5: value = buf[i:i + 4]; i += 4
        elif wire == 2:
            n, i = varint(buf, i); value = buf[i:i + n]; i += n
        else: raise ValueError(f"wire type {wire}")
        yield number, wire, value

def records(path):
    data = open(path, "rb").read()
    i = 0
    while i < len(data):
        header = data[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[i + 8:i + 12])
        assert hcrc == masked(header), f"{path}: bad length CRC at byte {i}"
        body = data[i + 12:i + 12 + length]
        (dcrc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
        assert dcrc == masked(body), f"{path}: bad data CRC at byte {i}"
        i += 16 + length
        yield body

for path in sys.argv[1:]:
    n = 0
    for event in records(path):
        step, summary, version = 0, None, None
        for number, wire, value in fields(event):
            if number == 2: step = value                      # Event.step
            elif number == 3: version = value.decode()        # Event.file_version
            elif number == 5: summary = value                 # Event.summary
        if version: print(f"{path}: file_version {version}")
        if summary is None: continue
        for number, _, v in fields(summary):                  # Summary.value (repeated)
            if number != 1: continue
            tag, simple = None, None
            for n2, w2, v2 in fields(v):
                if n2 == 1: tag = v2.decode()                 # Value.tag
                elif n2 == 2 and w2 == 5: simple = struct.unpack("<f", v2)[0]  # Value.simple_value
            print(f"{tag} {step} {simple:.6g}")
            n += 1
    print(f"{path}: {n} scalar(s), all record CRCs valid")
