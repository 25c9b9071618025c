"""The site's own settings with the benches' URLConf: a bare view beside the real pages,
so they can be compared through the same middleware. Never used outside bench/."""

from quizsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
