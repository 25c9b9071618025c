"""The filter of the site's console log (settings.LOGGING)."""

import logging


class RefusalsInOneLine(logging.Filter):
    """A request refused with a 4xx (more fields than Django takes, a body too big, a form
    it cannot parse) is one line in the log, with its address: Django logged each with a
    traceback of its own code, twenty lines a request as a scanner sent them. A 5xx keeps
    its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 500 or not record.exc_info:
            return True
        record.exc_info = record.exc_text = None
        request = getattr(record, "request", None)
        if record.name.startswith("django.security.") and request is not None:
            # Its message is the exception's alone; the address is escaped, as Django's are.
            path = request.path.encode("unicode_escape").decode("ascii")
            record.msg, record.args = "%s: %s", (record.getMessage().rstrip("."), path)
        return True
