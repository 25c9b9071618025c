"""Time an Anki import of 100,000 notes and measure its peak memory (issue 12: at most 60 s
and 500 MB), then the re-import of the same file (0 new, 0 changed).

Each import runs `manage.py import_anki` in a child process against a throwaway SQLite
database in a temporary folder, so the peak resident memory is the import's own:

    .venv/bin/python bench/import_speed.py [NOTES]

Prints the figures; it never fails on time.
"""

import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ["tensor", "gradient", "softmax", "batchnorm", "dropout", "embedding", "attention"]


def deck_text(notes: int, rng: random.Random) -> str:
    """A deck shaped like real exports: mostly short HTML, some lists and paragraphs, a few
    images and cloze notes, tags on most notes."""
    lines = ["#separator:tab", "#html:true", "#notetype column:1", "#tags column:4"]
    for n in range(notes):
        topic = rng.choice(TOPICS)
        kind = rng.random()
        tags = " ".join(rng.sample(TOPICS, k=rng.randint(0, 3)))
        if kind < 0.05:
            text = f"The {{{{c1::{topic}}}}} of layer {n} is {{{{c2::computed::how}}}} first"
            lines.append(f"Cloze\t{text}\tSee lesson {n % 40}\t{tags}")
            continue
        question = f"What does <code>{topic}_{n}()</code> return for input {n}?"
        if kind < 0.25:
            answer = (
                f"<p>It returns a <b>{topic}</b>.</p><ul><li>shape ({n}, 3)</li>"
                f"<li>dtype float32</li></ul>"
            )
        elif kind < 0.28:
            answer = f"<img src='https://aiquizzes.com/gcp_images/{topic}_{n % 500}.png'>"
        else:
            answer = f"A <b>{topic}</b> of shape ({n}, 3),<br>computed lazily &amp; cached."
        lines.append(f"Basic\t{question}\t{answer}\t{tags}")
    return "\n".join(lines) + "\n"


def run_import(path: Path, env: dict) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "import_anki", str(path), "--deck", "bench"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds, peak_mb, result.stdout.strip()


def main() -> None:
    notes = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    var_dir = tempfile.mkdtemp(prefix="quizsite-bench-")
    # As the worker imports in production: DEBUG off (no query log kept).
    env = {
        **os.environ,
        "QUIZSITE_VAR_DIR": var_dir,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    path = Path(var_dir) / "deck.txt"
    path.write_text(deck_text(notes, random.Random(12)), encoding="utf-8")
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"{notes} notes, {size_mb:.1f} MB, SQLite, {os.cpu_count()} cores")
    print(f"{'run':<10} {'seconds':>8} {'peak MB':>8}  result")
    for run in ("first", "again"):
        seconds, peak_mb, summary = run_import(path, env)
        # ru_maxrss only grows: the second figure is the larger of the two runs.
        print(f"{run:<10} {seconds:>8.1f} {peak_mb:>8.0f}  {summary}")


if __name__ == "__main__":
    main()
