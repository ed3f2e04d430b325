"""Settings for the benchmark server: production settings plus one bare view (the ceiling) in the URLs."""

from marketplace.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
