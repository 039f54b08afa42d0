"""What the SAE chapters' tests share."""

import numpy as np

from superposition_lib.sae import init_sae_params


def random_sae(seed, n_inputs=3, n_latents=5, n_instances=None):
    """An SAE with non-zero biases and decoder columns of different lengths, and the
    generator that made it (for data drawn after it)."""
    rng = np.random.default_rng(seed)
    p = init_sae_params(n_inputs, n_latents, rng, n_instances=n_instances)
    p["b_enc"] += rng.normal(0, 0.3, p["b_enc"].shape)
    p["b_dec"] += rng.normal(0, 0.3, p["b_dec"].shape)
    p["W_dec"] *= rng.uniform(0.5, 2.0, p["b_enc"].shape)[..., None, :]
    return p, rng
