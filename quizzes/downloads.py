"""Files served for download (a deck's .apkg, an export's file), resumable as a phone on a
flaky connection resumes them: one byte range (RFC 9110, section 14) of the file, and
If-Range, so that a resume after the file changed (a deck's package is rebuilt at each
change of the decks, at the same address) gets the whole new file instead of the new
file's tail spliced onto the old one's head.

Django's FileResponse serves a whole file; its conditional GET (get_conditional_response)
answers If-None-Match and If-Modified-Since, and whitenoise's SlicedFile reads a range of
a file. What neither has is written here: the Range header's reading (whitenoise's refuses
`bytes=0-0` and ignores If-Range) and the 416."""

import os
import re
from typing import BinaryIO

from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe
from whitenoise.responders import SlicedFile

# One range of bytes, "first-last", "first-" or "-suffix length"; several (a multipart
# answer) are served as the whole file, which RFC 9110 allows.
_ONE_RANGE = re.compile(r"\s*bytes\s*=\s*([0-9]*)\s*-\s*([0-9]*)\s*", re.IGNORECASE)
UNSATISFIABLE = (
    "The part of the file asked for starts past its end (it may have changed since the "
    "download began): download it again from the start."
)
CHANGED = (
    "The file has changed since the version your download asked for: download it again "
    "from the start."
)


def file_download(request, file: BinaryIO, *, filename: str, content_type: str) -> HttpResponse:
    """`file` (open, read from the start; closed with the response) as an attachment
    named `filename`: whole, or the one range a GET asks for (206), or 416 for a range
    past its end; 304 or 412 as its ETag and Last-Modified answer the request's
    conditions. A HEAD gets the whole file's headers and no body."""
    stat = os.fstat(file.fileno())
    size, modified = stat.st_size, int(stat.st_mtime)
    # Strong: a file here is written once and replaced whole (a new mtime), never changed.
    validators = {"ETag": f'"{stat.st_mtime_ns:x}-{size:x}"', "Last-Modified": http_date(modified)}
    conditional = get_conditional_response(request, etag=validators["ETag"], last_modified=modified)
    if conditional is not None:
        file.close()
        if conditional.status_code == 412:
            # If-Match or If-Unmodified-Since that the file no longer meets: said in the
            # site's look, as every refusal is, where Django's answer is empty.
            conditional = _refusal(request, CHANGED, status=412)
        return _with_headers(conditional, validators)
    try:
        wanted = _range(request, size, validators)
    except _PastTheEnd:
        file.close()
        response = _refusal(request, UNSATISFIABLE, status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _with_headers(response, validators)
    if wanted is None and request.method == "HEAD":
        file.close()
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(size)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return _with_headers(response, validators)
    if wanted is None:
        response = FileResponse(
            file, as_attachment=True, filename=filename, content_type=content_type
        )
        return _with_headers(response, validators)
    start, end = wanted
    if end == size - 1:
        # To the end (a resume): the file itself, so a server's sendfile can serve it.
        file.seek(start)
        body = file
    else:
        body = SlicedFile(file, start, end)
    response = FileResponse(body, as_attachment=True, filename=filename, content_type=content_type)
    response.status_code = 206
    response["Content-Length"] = str(end - start + 1)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _with_headers(response, validators)


def _refusal(request, message: str, *, status: int) -> HttpResponse:
    return render(request, "quizzes/play/bad_request.html", {"message": message}, status=status)


def _with_headers(response: HttpResponse, validators: dict[str, str]) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    for name, value in validators.items():
        response[name] = value
    return response


class _PastTheEnd(Exception):
    """A range that starts past the file's end (or asks for none of its bytes)."""


def _range(request, size: int, validators: dict[str, str]) -> tuple[int, int] | None:
    """The (first, last) byte a GET asks for, None for the whole file: no Range, one that
    is not a single byte range, a HEAD (ranges are GET's alone), or an If-Range the file
    no longer answers to. Raises _PastTheEnd."""
    header = request.headers.get("Range")
    if header is None or request.method != "GET" or not _if_range_holds(request, validators):
        return None
    matched = _ONE_RANGE.fullmatch(header)
    if matched is None or matched[1] == matched[2] == "":
        return None
    first, last = matched[1], matched[2]
    if first == "":  # the last `last` bytes
        length = _byte_number(last)
        if length == 0 or size == 0:
            raise _PastTheEnd
        return max(size - length, 0), size - 1
    start = _byte_number(first)
    if last and _byte_number(last) < start:
        return None  # not a valid range: ignored, as RFC 9110 says
    if start >= size:
        raise _PastTheEnd
    return start, min(_byte_number(last), size - 1) if last else size - 1


# Past any file's size: a number of more digits stands for it. int() refuses more than
# 4,300 digits, and a Range header holds 8,000.
_PAST_ANY_SIZE = 10**18


def _byte_number(digits: str) -> int:
    """A byte position or count of a Range header; one past any file's size as itself."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else _PAST_ANY_SIZE


def _if_range_holds(request, validators: dict[str, str]) -> bool:
    """Whether the file is still the one a resumed download began with: If-Range names its
    ETag exactly (a weak one never holds), or its Last-Modified date."""
    condition = request.headers.get("If-Range")
    if condition is None:
        return True
    condition = condition.strip()
    if condition.startswith(('"', "W/")):
        return condition == validators["ETag"]
    return parse_http_date_safe(condition) == parse_http_date_safe(validators["Last-Modified"])
