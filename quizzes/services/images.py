"""The local image cache: download pending images, or take an admin upload, and record what
Pillow found. Both paths go through `quizzes.imagefetch`, so the same checks apply."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from quizzes import imagefetch
from quizzes.imagefetch import ImageFetchError, ImageRejected, VerifiedImage
from quizzes.models import CachedImage, Card
from quizzes.services.card_pages import cards_rerender


@dataclass(frozen=True)
class CacheOutcome:
    """What happened to one image; `error` is empty when it was cached."""

    image: CachedImage
    error: str = ""

    @property
    def cached(self) -> bool:
        return not self.error


def images_to_fetch(*, retry_failed: bool = False):
    statuses = [CachedImage.Status.PENDING]
    if retry_failed:
        statuses.append(CachedImage.Status.FAILED)
    return CachedImage.objects.filter(status__in=statuses).order_by("url")


def image_cache_pending(
    *,
    retry_failed: bool = False,
    fetch: Callable[..., imagefetch.FetchedImage] = imagefetch.fetch_image,
    now: Callable[[], datetime] = timezone.now,
) -> Iterator[CacheOutcome]:
    """Fetch every pending image (and failed ones with `retry_failed`), one at a time,
    yielding each outcome as soon as it is recorded so a caller can report progress."""
    # Read the whole list first: each outcome changes the status the query filters on.
    for image in list(images_to_fetch(retry_failed=retry_failed)):
        try:
            fetched = fetch(
                image.url,
                allowed_hosts=settings.QUIZSITE_IMAGE_HOSTS,
                timeout=settings.QUIZSITE_IMAGE_TIMEOUT,
                deadline=settings.QUIZSITE_IMAGE_DEADLINE,
                max_bytes=settings.QUIZSITE_IMAGE_MAX_BYTES,
                max_pixels=settings.QUIZSITE_IMAGE_MAX_PIXELS,
            )
        except ImageFetchError as error:
            _record_failure(image, error.reason, now=now())
            yield CacheOutcome(image=image, error=error.reason)
            continue
        _record_image(image, fetched.data, fetched.verified, now=now())
        yield CacheOutcome(image=image)


def image_upload_verify(*, data: bytes, declared_content_type: str | None) -> VerifiedImage:
    """The checks an uploaded file passes, the same as a download's; raises ImageRejected
    with a reason fit for a form error. Read at most QUIZSITE_IMAGE_MAX_BYTES + 1 bytes of
    the upload: a longer file is refused on its length."""
    max_bytes = settings.QUIZSITE_IMAGE_MAX_BYTES
    if len(data) > max_bytes:
        raise ImageRejected(f"the file is more than the limit of {max_bytes} bytes")
    return imagefetch.verify_image(
        data,
        declared_content_type=declared_content_type,
        max_pixels=settings.QUIZSITE_IMAGE_MAX_PIXELS,
    )


def image_store_upload(*, image: CachedImage, data: bytes, verified: VerifiedImage) -> None:
    """Store a file `image_upload_verify` accepted as `image`'s local copy."""
    _record_image(image, data, verified, now=timezone.now())


def _store(data: bytes, verified: VerifiedImage) -> str:
    # Named by content hash: the same bytes are stored once, whichever image points at them.
    name = imagefetch.storage_name(verified)
    if default_storage.exists(name):
        return name
    stored = data if verified.cleaned is None else verified.cleaned
    return default_storage.save(name, ContentFile(stored))


@transaction.atomic
def _record_image(image: CachedImage, data: bytes, verified: VerifiedImage, *, now) -> None:
    replaced = image.file.name
    exported_before = image.file.name if image.is_cached else None
    image.file.name = _store(data, verified)
    image.width = verified.width
    image.height = verified.height
    image.byte_size = verified.byte_size
    image.sha256 = verified.sha256
    image.content_type = verified.content_type
    image.status = CachedImage.Status.CACHED
    image.last_error = ""
    image.fetched_at = now
    image.save()
    # The cards showing it had a placeholder (or an older copy) in their page-ready HTML.
    showing = Card.objects.filter(card_images__image=image)
    cards_rerender(showing)
    if image.file.name != exported_before:
        # Their Anki notes now carry this file (or other bytes of it), where a package made
        # before named the image's URL: dated changed, in one UPDATE, as Anki takes a note
        # it has only from a newer one (anki_io's `modified`). Undated, the next package's
        # note and file were left out by the Anki that had the note.
        showing.update(updated_at=now)
    if replaced and replaced != image.file.name:
        # Once the new copy is committed: a rolled-back replacement still has its file.
        transaction.on_commit(lambda: files_remove_unused(names=[replaced]), robust=True)


def files_remove_unused(*, names) -> None:
    """Delete the stored files among `names` that no image uses any more (one copy of the
    same bytes may serve several images)."""
    used = set(CachedImage.objects.filter(file__in=names).values_list("file", flat=True))
    for name in set(names) - used:
        default_storage.delete(name)


def _record_failure(image: CachedImage, reason: str, *, now) -> None:
    image.status = CachedImage.Status.FAILED
    image.last_error = reason
    image.fetched_at = now
    image.save(update_fields=["status", "last_error", "fetched_at"])


@transaction.atomic
def images_delete(*, images) -> int:
    """Delete `images` (none a card uses: CardImage protects them), and their stored files
    once that is committed, those no other image shares. Returns how many."""
    names = [name for name in images.values_list("file", flat=True) if name]
    deleted, _ = images.delete()
    transaction.on_commit(lambda: files_remove_unused(names=names), robust=True)
    return deleted
