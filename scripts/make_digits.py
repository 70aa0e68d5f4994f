"""Regenerate ``solutions/data/digits.npz`` from scikit-learn's bundled copy of the UCI digits.

Run once (needs scikit-learn, no network): ``python scripts/make_digits.py``. The split is
stratified and fixed by the seed below: per class, a sixth for testing, a sixth for
validation, the rest for training (1199 / 299 / 299 images). Pixels stay integer counts
0..16 (uint8) as in the source; ``solutions.train.load_digits`` scales them to [0, 1].
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

SEED = 20261207
OUT = Path(__file__).resolve().parents[1] / "solutions" / "data" / "digits.npz"


def main() -> None:
    digits = load_digits()
    x, y = digits.data.astype(np.uint8), digits.target.astype(np.uint8)
    rng = np.random.default_rng(SEED)
    train, val, test = [], [], []
    for c in range(10):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = round(len(idx) / 6)
        test += list(idx[:k])
        val += list(idx[k : 2 * k])
        train += list(idx[2 * k :])
    parts = {name: np.sort(np.array(ix)) for name, ix in
             (("train", train), ("val", val), ("test", test))}
    arrays = {}
    for name, ix in parts.items():
        arrays[f"X_{name}"], arrays[f"y_{name}"] = x[ix], y[ix]
    np.savez_compressed(OUT, **arrays)
    print({name: len(ix) for name, ix in parts.items()}, "->", OUT)


if __name__ == "__main__":
    main()
