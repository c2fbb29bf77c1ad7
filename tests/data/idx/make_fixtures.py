#!/usr/bin/env python3
"""Writes the IDX fixtures of tst_idx next to this script: small good files and broken ones.

Run it again only to change the fixtures; the files it writes are committed."""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def images_header(count, rows, cols, magic=0x00000803):
    return struct.pack(">IIII", magic, count, rows, cols)


def labels_header(count, magic=0x00000801):
    return struct.pack(">II", magic, count)


def pattern(count, rows, cols):
    # The same formula tst_idx checks: byte = (31*image + 7*row + 3*col) % 256.
    return bytes((31 * i + 7 * r + 3 * c) % 256
                 for i in range(count) for r in range(rows) for c in range(cols))


def write(name, data, compress=False):
    if compress:
        data = gzip.compress(data, mtime=0)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


good_images = images_header(3, 28, 28) + pattern(3, 28, 28)
good_labels = labels_header(3) + bytes([7, 0, 9])

write("good-images-idx3-ubyte", good_images)
write("good-labels-idx1-ubyte", good_labels)
write("good-images-idx3-ubyte.gz", good_images, compress=True)
write("good-labels-idx1-ubyte.gz", good_labels, compress=True)
# Compressed, but named like a raw file: detection goes by the magic bytes.
write("gzip-without-suffix-images-idx3-ubyte", good_images, compress=True)
# Two gzip members (what `cat a.gz b.gz` gives): one logical content.
write("two-members-images-idx3-ubyte.gz",
      gzip.compress(good_images[:100], mtime=0) + gzip.compress(good_images[100:], mtime=0))

write("bad-magic-images-idx3-ubyte", images_header(3, 28, 28, magic=0x00000804) + pattern(3, 28, 28))
write("bad-magic-labels-idx1-ubyte", labels_header(3, magic=0x00000803) + bytes([1, 2, 3]))
write("short-header-images-idx3-ubyte", images_header(3, 28, 28)[:10])
write("truncated-images-idx3-ubyte", images_header(3, 28, 28) + pattern(3, 28, 28)[:2000])
write("truncated-images-idx3-ubyte.gz", images_header(3, 28, 28) + pattern(3, 28, 28)[:2000], compress=True)
write("trailing-images-idx3-ubyte", good_images + b"extra")
write("trailing-images-idx3-ubyte.gz", good_images + b"extra", compress=True)
write("truncated-labels-idx1-ubyte", labels_header(5) + bytes([1, 2]))
write("trailing-labels-idx1-ubyte", good_labels + bytes([4]))
write("bad-label-labels-idx1-ubyte", labels_header(4) + bytes([1, 2, 12, 3]))
write("mismatch-labels-idx1-ubyte", labels_header(2) + bytes([1, 2]))
write("zero-count-images-idx3-ubyte", images_header(0, 28, 28))

# Headers that claim far more than the file holds: an error, never a huge allocation.
tiny_payload = bytes(84)
for compress, suffix in ((False, ""), (True, ".gz")):
    write("huge-count-images-idx3-ubyte" + suffix, images_header(2**31, 28, 28) + tiny_payload, compress)
    write("huge-claim-images-idx3-ubyte" + suffix, images_header(2**31 - 1, 28, 28) + tiny_payload, compress)
    write("huge-dims-images-idx3-ubyte" + suffix, images_header(1, 65536, 65536) + tiny_payload, compress)
    write("huge-count-labels-idx1-ubyte" + suffix, labels_header(2**32 - 1) + tiny_payload, compress)

# Claims one image but inflates to 16 MiB: reading must stop just past the claim.
write("bomb-images-idx3-ubyte.gz", images_header(1, 28, 28) + bytes(16 << 20), compress=True)
# Claims 2^31-1 images and inflates to 64 MiB of zeros from ~64 KB: refused by its expansion, long
# before the claim (1.6 TB) or the content could fill memory.
write("lying-bomb-images-idx3-ubyte.gz", images_header(2**31 - 1, 28, 28) + bytes(64 << 20), compress=True)

good_gz = gzip.compress(good_images, mtime=0)
write("truncated-gzip-images-idx3-ubyte.gz", good_gz[: len(good_gz) // 2])
corrupt = bytearray(good_gz)
corrupt[len(corrupt) // 2] ^= 0xFF
write("corrupt-gzip-images-idx3-ubyte.gz", bytes(corrupt))
