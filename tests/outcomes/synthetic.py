"""Synthetic creators for the outcome tests: a pre-window and a post-window total per creator,
the post one correlated with the pre one, with a planted effect on the sent creators."""

from __future__ import annotations

import numpy as np


def creators_simulate(
    *, seed: int, n: int = 2_000, holdout_share: float = 0.2, effect: float = 150.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sent 0/1, pre, post): skewed GMV-like totals over a window, post ≈ 0.8·pre + noise."""
    rng = np.random.default_rng(seed)
    sent = (rng.random(n) >= holdout_share).astype(float)
    level = rng.gamma(2.0, 600.0, size=n)  # each creator's usual sales over a window
    pre = level + rng.normal(0, 250.0, size=n)
    post = 0.8 * level + 120.0 + rng.normal(0, 250.0, size=n) + effect * sent
    return sent, pre, post
