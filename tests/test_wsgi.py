"""quizsite/wsgi.py, which gunicorn loads once before it forks its workers (preload_app in
quizsite/gunicorn.py): by then the views are imported and the site's templates compiled, the
garbage collector leaves what was loaded out of its passes, and no database connection is
open to be shared by every worker."""

import subprocess
import sys

from tests.servers import ROOT, site_env

CHECK = """
import gc
import sys
from pathlib import Path

import quizsite.wsgi
from django.db import connections
from django.template import base, loader

print(gc.get_freeze_count())
print(all(name in sys.modules for name in ("quizzes.views.play", "quizzes.views.browse")))
compiled = []
compile_nodelist = base.Template.compile_nodelist
base.Template.compile_nodelist = lambda self: compiled.append(self.name) or compile_nodelist(self)
folder = Path("templates")
for path in folder.rglob("*.html"):
    loader.get_template(path.relative_to(folder).as_posix())
print(len(list(folder.rglob("*.html"))), len(compiled))
print(connections["default"].connection)
"""


def test_the_site_is_ready_before_gunicorn_forks_and_holds_no_connection(tmp_path):
    env = site_env(QUIZSITE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="quizsite.settings")
    run = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    frozen, views_imported, templates, compiled_again, connection = run.stdout.split()
    assert int(frozen) > 20_000  # the site's modules, views and templates
    assert views_imported == "True"
    assert int(templates) > 30
    assert compiled_again == "0"
    assert connection == "None"
