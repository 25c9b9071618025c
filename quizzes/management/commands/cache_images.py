from django.core.management.base import BaseCommand

from quizzes.services import images as image_services
from quizzes.tasks import images_cache_pending


class Command(BaseCommand):
    help = (
        "Download the card images not cached yet into MEDIA_ROOT, only from the hosts in "
        "QUIZSITE_IMAGE_HOSTS; a second run fetches nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed", action="store_true", help="Also try the images that failed before."
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the downloads for the db_worker process and return at once.",
        )

    def handle(self, *, retry_failed, background, **options):
        if background:
            result = images_cache_pending.enqueue(retry_failed=retry_failed)
            return f"Queued as task {result.id}: the db_worker process downloads the images."
        cached = failed = 0
        for outcome in image_services.image_cache_pending(retry_failed=retry_failed):
            image = outcome.image
            if outcome.cached:
                cached += 1
                self.stdout.write(
                    f"cached {image.url} ({image.width}x{image.height}, {image.byte_size} bytes)"
                )
            else:
                failed += 1
                self.stdout.write(f"failed {image.url}: {outcome.error}")
        if not cached and not failed:
            return "Nothing to fetch: no image is pending."
        hint = " (run again with --retry-failed to try them again)" if failed else ""
        return f"{cached} cached, {failed} failed{hint}."
