"""Playing the site over HTTP, as a browser with htmx does: for tests against real servers
(gunicorn) and for the benches. Reads the few values it needs out of the HTML."""

import re

import httpx

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POSITION_FIELD = re.compile(r'name="position" value="(\d+)"')
CHOICE_BUTTON = re.compile(r'name="choice" value="([^"]+)"')
HTMX = {"HX-Request": "true"}


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    if match is None:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


def question_on(html: str) -> tuple[int, list[str]] | None:
    """The position and the choice ids of the question a play page shows, or None."""
    position = POSITION_FIELD.search(html)
    if position is None:
        return None
    return int(position.group(1)), CHOICE_BUTTON.findall(html)


class Player:
    """One browser: its own cookies, talking to whichever server `base_url` names."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.token = ""

    def get(self, base_url: str, path: str, **kwargs) -> httpx.Response:
        response = self.client.get(base_url + path, **kwargs)
        if match := CSRF_FIELD.search(response.text):
            self.token = match.group(1)
        return response

    def post(self, base_url: str, path: str, data: dict, **kwargs) -> httpx.Response:
        if not self.token:
            self.get(base_url, "/accounts/login/")
        data = {"csrfmiddlewaretoken": self.token, **data}
        return self.client.post(base_url + path, data=data, **kwargs)

    def log_in(self, base_url: str, username: str, password: str) -> httpx.Response:
        return self.post(base_url, "/accounts/login/", {"username": username, "password": password})

    def start_quick_quiz(self, base_url: str, deck: str = "fastai") -> str:
        """Starts a Quick quiz; returns its play page's path."""
        response = self.post(base_url, "/quiz/quick/", {"deck": deck})
        if response.status_code != 302:
            raise AssertionError(f"quiz start answered {response.status_code}")
        return response.headers["Location"]

    def answer_current(self, base_url: str, play_path: str) -> httpx.Response | None:
        """Answers the question shown with its first choice, as htmx posts it; None when
        the quiz has no question left."""
        # The play page sends on to the current question's own address.
        question = question_on(self.get(base_url, play_path, follow_redirects=True).text)
        if question is None:
            return None
        position, choices = question
        return self.post(
            base_url,
            play_path + "answer/",
            {"position": str(position), "choice": choices[0]},
            headers=HTMX,
        )
