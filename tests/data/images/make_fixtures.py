#!/usr/bin/env python3
"""Writes the image fixtures of tst_cli next to this script:

  colour-seven-56.png  56x56 RGB: an orange "7" (a bar and a diagonal, 6 pixels thick) on a dark blue
                       background, so that `pixelmix-cli classify` has to convert it (colour, and
                       not 28x28) and says so.
  not-an-image.png     text with a .png name: classify must refuse it, naming the file.

Run it again only to change the fixtures; the files it writes are committed."""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def png(width, height, rows):
    """An 8-bit RGB PNG from rows of (r, g, b) tuples."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(v for pixel in row for v in pixel) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def seven(size):
    background, ink = (10, 20, 60), (250, 160, 40)
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            bar = 10 <= y < 16 and 12 <= x < 44
            # The diagonal from the bar's right end down to the lower left.
            diagonal = 16 <= y < 48 and abs((44 - x) - (y - 16) * 0.55) < 3.5
            row.append(ink if bar or diagonal else background)
        rows.append(row)
    return rows


with open(os.path.join(HERE, "colour-seven-56.png"), "wb") as f:
    f.write(png(56, 56, seven(56)))
with open(os.path.join(HERE, "not-an-image.png"), "w") as f:
    f.write("This is text, not a PNG.\n")
