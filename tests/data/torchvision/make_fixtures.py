#!/usr/bin/env python3
"""Writes a miniature MNIST in torchvision's layout (MNIST/raw) for tst_dataset: the train split
gzip'd, the test split raw. Pixel (r, c) of image i: (31*i + 7*r + 3*c + offset) % 256 with
offset 0 for train and 128 for test. Run again only to change the fixture."""
import gzip
import os
import struct

RAW = os.path.join(os.path.dirname(os.path.abspath(__file__)), "MNIST", "raw")


def images(count, offset):
    pixels = bytes((31 * i + 7 * r + 3 * c + offset) % 256
                   for i in range(count) for r in range(28) for c in range(28))
    return struct.pack(">IIII", 0x803, count, 28, 28) + pixels


def labels(values):
    return struct.pack(">II", 0x801, len(values)) + bytes(values)


def write(name, data):
    with open(os.path.join(RAW, name), "wb") as f:
        f.write(data)


os.makedirs(RAW, exist_ok=True)
write("train-images-idx3-ubyte.gz", gzip.compress(images(6, 0), mtime=0))
write("train-labels-idx1-ubyte.gz", gzip.compress(labels([0, 1, 2, 3, 4, 5]), mtime=0))
write("t10k-images-idx3-ubyte", images(4, 128))
write("t10k-labels-idx1-ubyte", labels([9, 8, 7, 6]))
