"""The training set as tools/train/make_dataset.sh writes it: DATA/MANIFEST.tsv (group, split,
samples, source path in the packages) and DATA/<group>/<first 16 hex digits of sha256(source)>.s16
(24 kHz mono 16-bit little-endian)."""
import hashlib

import numpy as np


def manifest(data_dir):
    """[(group, split, samples, source)] in the manifest's order."""
    rows = []
    for line in (data_dir / "MANIFEST.tsv").read_text().splitlines():
        group, split, samples, source = line.split("\t")
        rows.append((group, split, int(samples), source))
    return rows


def read_pcm(data_dir, group, source):
    name = hashlib.sha256(source.encode()).hexdigest()[:16] + ".s16"
    return np.fromfile(data_dir / group / name, dtype="<i2")
