"""Sounds an Anki package brought that no browser plays are removed, files and rows.

Until the import kept only playable files (services.anki_io, `_PLAYABLE_SUFFIXES`), it
stored whatever a `[sound:]` named: a deck's `[sound:page.html]` lay under /media/sounds/,
which the proxy serves by suffix, so it was a page of the deck author's, script and all, on
the site's own origin. This removes those stored before; a card that showed a player for
one shows the "audio not available" mark instead, as rendering it again would."""

import html
import re
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.db import migrations

# services.anki_io's playable suffixes when this was written: a migration keeps its own.
PLAYABLE = {
    ".mp3",
    ".m4a",
    ".aac",
    ".ogg",
    ".oga",
    ".opus",
    ".wav",
    ".flac",
    ".weba",
    ".mp4",
    ".m4v",
    ".webm",
    ".ogv",
    ".mov",
}
RENDERED = ("question_rendered", "answer_rendered")


def unplayable_sounds_remove(apps, schema_editor):
    MediaFile = apps.get_model("quizzes", "MediaFile")
    Card = apps.get_model("quizzes", "Card")
    unplayable = [
        media
        for media in MediaFile.objects.all()
        if PurePosixPath(media.name).suffix.lower() not in PLAYABLE
    ]
    if not unplayable:
        return
    for media in unplayable:
        url = html.escape(default_storage.url(media.file.name))
        player = re.compile(rf'<(audio|video)\b[^>]*\bsrc="{re.escape(url)}"[^>]*>\s*</\1>')
        mark = f'<span class="audio-missing">audio not available ({html.escape(media.name)})</span>'
        for side in RENDERED:
            for card in Card.objects.filter(**{f"{side}__contains": url}).only("pk", side):
                setattr(card, side, player.sub(mark, getattr(card, side)))
                card.save(update_fields=[side])
    files = {media.file.name for media in unplayable}
    MediaFile.objects.filter(pk__in=[media.pk for media in unplayable]).delete()
    # Two names with the same bytes and suffix share a file.
    still_used = set(MediaFile.objects.filter(file__in=files).values_list("file", flat=True))
    for name in sorted(files - still_used):
        default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0033_attempt_seed_index"),
    ]

    operations = [
        migrations.RunPython(unplayable_sounds_remove, migrations.RunPython.noop, elidable=True),
    ]
