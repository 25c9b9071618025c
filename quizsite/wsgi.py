import gc
import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import every view and compile the site's own templates now rather than at a worker's
    first requests: gunicorn loads this module once, before it starts its workers
    (preload_app in quizsite/gunicorn.py), so each worker starts with them ready, and a burst
    of visitors to a site just started does not wait while each worker does it again."""
    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports the URLconf, so every view)
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            get_template(path.relative_to(folder).as_posix())
    # Nothing above should have opened one; a connection made before the fork would be
    # shared by every worker.
    connections.close_all()
    # What is loaded now lives as long as the workers: the garbage collector's full passes
    # (each walked these ~80,000 objects, ~20 ms with the process's other threads waiting)
    # leave it out, and the workers' copies of its memory stay shared.
    gc.collect()
    gc.freeze()


_warm_up()
