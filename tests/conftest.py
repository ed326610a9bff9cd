"""Test-wide settings.

Property tests run derandomized by default, so CI and every checkout see the
same examples and a red run is reproducible. ``HYPOTHESIS_PROFILE=explore``
searches afresh with more examples (run it when changing a normaliser or a
comparison; see the README's development section).
"""

from __future__ import annotations

import os

from hypothesis import settings

# No per-example deadline: timings live in benchmarks/, and a loaded CI machine
# (or helpers sharing two cores) must not turn a correct property red.
settings.register_profile("default", derandomize=True, print_blob=True, deadline=None)
settings.register_profile(
    "explore", derandomize=False, max_examples=1000, print_blob=True, deadline=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
