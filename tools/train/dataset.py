"""The training set as tools/train/make_dataset.sh writes it: DATA/MANIFEST.tsv (group, split,
samples, source path in the packages) and DATA/<group>/<first 16 hex digits of sha256(source)>.s16
(24 kHz mono 16-bit little-endian). A subset (pack_dataset.py) keeps the whole manifest and only
some of the files."""
import hashlib

import numpy as np


def manifest(data_dir):
    """[(group, split, samples, source)] in the manifest's order."""
    rows = []
    for line in (data_dir / "MANIFEST.tsv").read_text().splitlines():
        group, split, samples, source = line.split("\t")
        rows.append((group, split, int(samples), source))
    return rows


def pcm_path(data_dir, group, source):
    return data_dir / group / (hashlib.sha256(source.encode()).hexdigest()[:16] + ".s16")


def has_pcm(data_dir, group, source):
    return pcm_path(data_dir, group, source).exists()


def read_pcm(data_dir, group, source):
    return np.fromfile(pcm_path(data_dir, group, source), dtype="<i2")
