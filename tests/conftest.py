import os

import torch
from hypothesis import HealthCheck, settings

# Two xdist workers share two cores: intra-op threads would only oversubscribe them.
torch.set_num_threads(1)

# "ci" runs hundreds of examples per property; "dev" is quick for local iteration.
# "ci" is derandomized: every run tries the same examples, so a red CI is reproducible and
# never a new draw's luck; "explore" (HYPOTHESIS_PROFILE=explore) draws fresh examples each run
# to hunt for new edge cases locally.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "explore",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
