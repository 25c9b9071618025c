"""Card HTML as a page shows it: each <img> of the source points at the local cached copy,
with its size and an alt text, or becomes a visible "image not cached" placeholder; a cloze
deletion is hidden or filled in; `\\( \\)` and `\\[ \\]` math (and Anki's older `[$]` and
`[$$]`) becomes MathML, a `[latex]` document a code block; `[sound:x]` becomes an audio
player or an "audio not available" mark; search words are marked in the text.

Pure: HTML and image facts in, HTML out. A card keeps its source HTML with the original
URLs, and stores this page-ready form beside it, made again whenever an image is fetched
or replaced (services.card_pages).
"""

import functools
import html
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from latex2mathml.converter import convert as latex_to_mathml

from quizzes.sanitize import (
    MATH_CLOSERS,
    MATH_OPENER,
    sanitize_mathml,
    soup_to_text,
    style_without_colours,
)


@dataclass(frozen=True)
class LocalImage:
    """What the page needs to know about one source URL; `src` is None when not cached, and
    then `problem` says why when it is known for good ("missing from the package")."""

    src: str | None
    width: int | None = None
    height: int | None = None
    problem: str = ""


# What a name made by a program holds: a hash or a time stamp ("paste-4f3a9e0c...jpg",
# Anki's pasted images; "inline-<hash>.png", an image a field gave inline).
_HASH_WORD = re.compile(r"[0-9a-f]{8,}|[0-9]{6,}", re.IGNORECASE)
_MADE_UP_WORDS = {"paste", "inline"}


def _file_name_words(url: str) -> str:
    """The words of an image's file name: `.../add_dim.png` gives "add dim", `my%20photo.png`
    "my photo"; a name of hashes says nothing, so ""."""
    parts = urlsplit(url)
    # A web address ends its path at '?' or '#'; a package's file name ("x#1.png") does not.
    path = parts.path if parts.scheme or parts.netloc else url
    stem = unquote(PurePosixPath(path).stem)
    words = [
        word
        for word in stem.replace("_", " ").replace("-", " ").split()
        if not _HASH_WORD.fullmatch(word)
    ]
    if all(word.lower() in _MADE_UP_WORDS for word in words):
        words = []
    return " ".join(words)


def describe_image(url: str) -> str:
    """An alt text from the file name: `.../add_dim.png` gives "Screenshot: add dim"; a name
    of hashes, just "Screenshot"."""
    words = _file_name_words(url)
    return f"Screenshot: {words}" if words else "Screenshot"


def image_text(*sides_html: str) -> str:
    """What a learner reads of the images of these (sanitized) sides, a line each: the alt
    text, else the file name's words, which the page's alt text and "not cached" placeholder
    show. Not the words the site adds ("Screenshot"): they are no card's."""
    lines = []
    for side in sides_html:
        if "<img" not in side:
            continue
        for img in BeautifulSoup(side, "html.parser").find_all("img"):
            text = " ".join((img.get("alt") or _file_name_words(img.get("src", ""))).split())
            if text:
                lines.append(text)
    return "\n".join(dict.fromkeys(lines))


PLACEHOLDER_CLASS = "image-missing"
PLACEHOLDER_WORDS_CLASS = "image-missing-words"


def _placeholder(soup: BeautifulSoup, url: str, alt: str | None, problem: str):
    # Not role="img": that would hide the link inside from assistive technology.
    box = soup.new_tag("span", attrs={"class": PLACEHOLDER_CLASS})
    label = soup.new_tag("span", attrs={"class": "image-missing-label"})
    # The image's own words in a span of their own: search marks them, never the rest.
    words = alt or _file_name_words(url)
    label.append(f"Image {problem or 'not cached'} (")
    if not alt:
        label.append(describe_image(url).removesuffix(words))
    if words:
        label.append(soup.new_tag("span", attrs={"class": PLACEHOLDER_WORDS_CLASS}, string=words))
    label.append(")")
    box.append(label)
    if url.startswith(("http://", "https://")):
        link = soup.new_tag("a", href=url, rel="noopener noreferrer nofollow")
        link.string = "Open the original"
        box.append(link)
    return box


def localize_images(card_html: str, images: Mapping[str, LocalImage]) -> str:
    if "<img" not in card_html:
        return card_html
    soup = BeautifulSoup(card_html, "html.parser")
    for img in soup.find_all("img"):
        url = img.get("src", "")
        local = images.get(url) or LocalImage(src=None)
        # The source wraps images in a link to themselves; that link follows the image.
        wrapper = img.parent if img.parent.name == "a" and img.parent.get("href") == url else None
        if local.src is None:
            (wrapper or img).replace_with(_placeholder(soup, url, img.get("alt"), local.problem))
            continue
        img["src"] = local.src
        img["alt"] = img.get("alt") or describe_image(url)
        img["loading"] = "lazy"
        if local.width and local.height:
            img["width"], img["height"] = str(local.width), str(local.height)
        if wrapper is not None:
            wrapper["href"] = local.src
    return str(soup)


def highlight(card_html: str, words: Sequence[str]) -> str:
    """Wrap each case-insensitive occurrence of `words` in `<mark>`, in text only: tags,
    attributes and entities are never touched, so the HTML stays as safe as it came in.
    In an image placeholder only the image's own words (its alt text, or its file name's)
    are marked, as search finds a card by them; "Image not cached" is the site's."""
    words = [word for word in words if word]
    if not words:
        return card_html
    # Longest first, so "batchnorm" wins over "batch" where both match.
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True)),
        re.IGNORECASE,
    )
    soup = BeautifulSoup(card_html, "html.parser")
    for text in soup.find_all(string=pattern):
        if type(text) is not NavigableString:  # comments, CDATA, doctypes
            continue
        if text.find_parent(class_=PLACEHOLDER_CLASS) is not None and (
            text.parent.get("class") != [PLACEHOLDER_WORDS_CLASS]
        ):
            continue
        pieces, start = [], 0
        for match in pattern.finditer(text):
            if match.start() > start:
                pieces.append(NavigableString(text[start : match.start()]))
            mark = soup.new_tag("mark")
            mark.string = match.group()
            pieces.append(mark)
            start = match.end()
        if start < len(text):
            pieces.append(NavigableString(text[start:]))
        text.replace_with(*pieces)
    return str(soup)


# --- cloze deletions: {{c1::answer}} and {{c1::answer::hint}}, nested or not ---

_CLOZE_TOKEN = re.compile(r"\{\{c([0-9]+)::|\}\}|::")
CLOZE_GAP = "[…]"


@dataclass
class _Deletion:
    number: int
    content: list = field(default_factory=list)
    hint: list | None = None

    @property
    def current(self) -> list:
        return self.content if self.hint is None else self.hint

    def source(self) -> list:
        hint = ["::", *self.hint] if self.hint is not None else []
        return [f"{{{{c{self.number}::", *self.content, *hint]


# A note's cards each read its text: a note of 1,000 deletions was parsed 5,000 times on
# import, each time whole. Shared, so never changed by a caller.
@functools.lru_cache(maxsize=4)
def _cloze_parse(text: str) -> tuple:
    """Text and _Deletion nodes; markup that does not close stays text, as Anki shows it."""
    root: list = []
    stack: list[_Deletion] = []
    position = 0

    def current() -> list:
        return stack[-1].current if stack else root

    for token in _CLOZE_TOKEN.finditer(text):
        current().append(text[position : token.start()])
        position = token.end()
        if token[1] is not None:
            stack.append(_Deletion(int(token[1])))
        elif token[0] == "}}" and stack:
            deletion = stack.pop()
            current().append(deletion)
        elif token[0] == "::" and stack and stack[-1].hint is None:
            stack[-1].hint = []
        else:
            current().append(token[0])
    current().append(text[position:])
    while stack:  # unclosed: back to the text it was
        deletion = stack.pop()
        current().extend(deletion.source())
    return tuple(root)


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers a note's text uses, in order: one card each."""
    return list(_cloze_numbers(text))


@functools.lru_cache(maxsize=4)
def _cloze_numbers(text: str) -> tuple[int, ...]:
    numbers: set[int] = set()
    # A stack, not recursion: deletions may nest deeper than Python's recursion limit.
    pending = list(_cloze_parse(text)) if "{{c" in text else []
    while pending:
        node = pending.pop()
        if isinstance(node, _Deletion):
            if node.number > 0:
                numbers.add(node.number)
            pending += node.content
    return tuple(sorted(numbers))


# Checked for each card of a note, as its numbers are read: walked once a note.
@functools.lru_cache(maxsize=4)
def cloze_depth(text: str) -> int:
    """How deep the deletions of a note's text nest: 1 when none holds another."""
    depth = deepest = 0
    for token in _CLOZE_TOKEN.finditer(text):
        if token[1] is not None:
            depth += 1
            deepest = max(deepest, depth)
        elif token[0] == "}}" and depth:
            depth -= 1
    return deepest


def cloze_side(text: str, number: int, *, answer: bool) -> str:
    """A cloze note's text as card `number` shows it: that deletion as `[…]` (or `[hint]`)
    on the question, filled in on the answer; every other deletion shows its text."""

    def filled(content: str) -> str:
        return f'<span class="cloze">{content}</span>'

    def gap(hint: str) -> str:
        return filled(f"[{hint.strip()}]" if hint.strip() else CLOZE_GAP)

    def shown(deletion: _Deletion) -> tuple[list, Callable[[str], str]]:
        """The nodes a deletion shows, and what wraps them once they are rendered."""
        if deletion.number != number:
            return deletion.content, str
        return (deletion.content, filled) if answer else (deletion.hint or [], gap)

    # A stack of the deletions being rendered, not recursion: they may nest deeper than
    # Python's recursion limit.
    root: list[str] = []
    frames = [(iter(_cloze_parse(text)), root, str)]
    while frames:
        nodes, out, wrap = frames[-1]
        node = next(nodes, None)
        if node is None:
            frames.pop()
            if frames:
                frames[-1][1].append(wrap("".join(out)))
        elif isinstance(node, _Deletion):
            content, wrap_content = shown(node)
            frames.append((iter(content), [], wrap_content))
        else:
            out.append(node)
    return "".join(root)


def cloze_text_for_typing(text: str, number: int) -> str:
    """What card `number` of a cloze note asks to type, as Anki's `{{type:cloze:Text}}`
    takes it: the text of each of its deletions (hints left out, deletions inside filled
    in), one, or all joined with ", " where they differ. HTML, as the note has it."""
    found: list[str] = []
    pending = list(reversed(_cloze_parse(text))) if "{{c" in text else []
    while pending:
        node = pending.pop()
        if isinstance(node, _Deletion):
            if node.number == number:
                found.append(_filled_text(node.content))
            else:
                pending += reversed(node.content)
    if not found:
        return ""
    return found[0] if len(set(found)) == 1 else ", ".join(found)


def _filled_text(nodes: list) -> str:
    """Nodes as text, every deletion among them filled in (a stack: they may nest deep)."""
    out: list[str] = []
    pending = list(reversed(nodes))
    while pending:
        node = pending.pop()
        if isinstance(node, _Deletion):
            pending += reversed(node.content)
        else:
            out.append(node)
    return "".join(out)


# --- math and sound ---

# `\( \)` and `\[ \]` as MathJax reads them; `[$] [/$]` and `[$$] [/$$]` are Anki's older
# way of writing the same; `[latex] [/latex]` is a whole LaTeX document Anki renders to an
# image with a LaTeX install, which no page here can: it is shown as code.
_MATH = re.compile(
    r"\\\((?P<inline>.+?)\\\)|\\\[(?P<display>.+?)\\\]"
    r"|\[\$\](?P<old_inline>.+?)\[/\$\]|\[\$\$\](?P<old_display>.+?)\[/\$\$\]"
    r"|\[latex\](?P<document>.+?)\[/latex\]",
    re.DOTALL | re.IGNORECASE,
)
_MATH_MARKS = ("\\(", "\\[", "[$")
_TAGS = re.compile(r"<[^>]*>")
_BREAK_TAGS = re.compile(r"<br\s*/?>|</(?:div|p)>", re.IGNORECASE)
_SOUND = re.compile(r"\[sound:([^\]]+)\]")
AUDIO_MISSING_CLASS = "audio-missing"


# mhchem's `\ce{}`, which Anki's MathJax reads, in the plain LaTeX latex2mathml reads: its
# elements upright, a number after one a subscript, a sign after one a charge, a state in
# brackets upright, and its arrows.
_CHEMISTRY_TOKEN = re.compile(
    r"(?P<arrow><=>>|<<=>|<=>|<->|->|<-)"
    r"|(?P<state>\((?:s|l|g|aq)\))"
    r"|(?P<element>[A-Z][a-z]*)"
    r"|(?P<number>\d+)"
    r"|(?P<power>\^(?:\{[^{}]*\}|\d*[+-]|\d+))"
    r"|(?P<charge>[+-](?=\s|$|\)))"
    r"|(?P<dot>[*.·](?=\s*\d*[A-Z(]))"
    r"|(?P<command>\\[A-Za-z]+)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_CHEMISTRY_ARROWS = {
    "->": r"\rightarrow",
    "<-": r"\leftarrow",
    "<->": r"\leftrightarrow",
    "<=>": r"\rightleftharpoons",
    "<=>>": r"\rightleftharpoons",
    "<<=>": r"\rightleftharpoons",
}


def _with_chemistry(latex: str) -> str:
    """`latex` with each `\\ce{...}` in plain LaTeX."""
    while (start := latex.find("\\ce{")) != -1:
        depth, end = 0, None
        for index in range(start + 3, len(latex)):
            depth += {"{": 1, "}": -1}.get(latex[index], 0)
            if depth == 0:
                end = index
                break
        if end is None:
            return latex
        latex = latex[:start] + _chemistry(latex[start + 4 : end]) + latex[end + 1 :]
    return latex


def _chemistry(formula: str) -> str:
    out: list[str] = []
    after_species = False  # a number or a sign here belongs to the species before it
    for match in _CHEMISTRY_TOKEN.finditer(formula.strip()):
        kind, text = match.lastgroup, match.group()
        if kind == "arrow":
            out.append(_CHEMISTRY_ARROWS[text])
        elif kind in ("state", "element"):
            # \text, not \mathrm: latex2mathml leaves a one-letter \mathrm{H} italic.
            out.append(rf"\text{{{text}}}")
        elif kind == "number":
            out.append(f"_{{{text}}}" if after_species else text)
        elif kind == "power":
            out.append(f"^{{{text[1:].strip('{}')}}}")
        elif kind == "charge" and after_species:
            out.append(f"^{{{text}}}")
        elif kind == "dot":
            out.append(r"\cdot")
        elif kind != "space":
            out.append(text)
        if kind != "number":  # after a subscript, a sign is still a charge
            after_species = kind == "element" or text in (")", "]")
    return "".join(out)


# AMS environments MathJax reads (Anki's MathJax numbers no equation) that latex2mathml
# does not: each as the one it reads that lays the rows out alike, or its `&` showed as a
# sign and its rows ran on. A pair of columns aligned right then left (aligned, alignat),
# three right, centre and left (eqnarray), one centred (gather, multline).
_ENVIRONMENTS_AS = {
    **dict.fromkeys(
        ("align", "aligned", "alignat", "alignedat", "flalign", "xalignat"), ("align*", "")
    ),
    **dict.fromkeys(("eqnarray",), ("array", "{rcl}")),
    **dict.fromkeys(("gather", "gathered", "multline"), ("array", "{c}")),
    **dict.fromkeys(("dcases", "cases"), ("cases", "")),
}
_ENVIRONMENT = re.compile(
    r"\\(?P<edge>begin|end)\s*\{(?P<name>align|aligned|alignat|alignedat|flalign|xalignat"
    r"|eqnarray|gather|gathered|multline|dcases|cases|rcases)\*?\}"
    r"(?P<argument>\s*(?:\{\d+\}|\[[tcb]\]))?"
)
# The column count of alignat, the vertical position of aligned: nothing to lay out here.
_ENVIRONMENTS_WITH_ARGUMENT = {"aligned", "alignat", "alignedat", "xalignat", "gathered"}
# mathtools' matrices with their columns aligned (`bmatrix*` and its kin, `[r]`, `[l]` or
# `[c]`) and small ones with brackets (`psmallmatrix`), which MathJax reads: latex2mathml
# dropped the brackets of the first and showed the second's `&` as a sign. Each is its
# plain matrix inside `\left \right` brackets.
_FENCED_MATRIX = re.compile(
    r"\\(?P<edge>begin|end)\s*\{(?P<fence>[pbBvV]?)(?P<kind>matrix\*|smallmatrix\*?)\}"
    r"(?P<alignment>\s*\[[lcr]\])?"
)
_FENCES = {
    "p": ("(", ")"),
    "b": ("[", "]"),
    "B": (r"\{", r"\}"),
    "v": ("|", "|"),
    "V": (r"\|", r"\|"),
}


def _with_readable_environments(latex: str) -> str:
    """`latex` with each environment latex2mathml cannot lay out as one it can."""
    if "\\begin" not in latex:
        return latex

    def replaced(match: re.Match) -> str:
        begin = match["edge"] == "begin"
        argument = match["argument"] or ""
        if match["name"] in _ENVIRONMENTS_WITH_ARGUMENT:
            argument = ""
        if match["name"] == "rcases":  # cases with the brace on the right
            return (r"\left.\begin{array}{ll}" if begin else r"\end{array}\right\}") + argument
        name, columns = _ENVIRONMENTS_AS[match["name"]]
        return (rf"\begin{{{name}}}{columns}" if begin else rf"\end{{{name}}}") + argument

    def fenced(match: re.Match) -> str:
        begin, alignment = match["edge"] == "begin", match["alignment"] or ""
        if match["fence"] == "" and match["kind"] == "matrix*":
            return match[0]  # latex2mathml reads it
        # latex2mathml's smallmatrix takes no alignment: its columns stay centred.
        kind = "matrix*" if match["kind"] == "matrix*" else "smallmatrix"
        if kind == "smallmatrix" and begin:
            alignment = ""
        if not match["fence"]:
            return rf"\begin{{{kind}}}" if begin else rf"\end{{{kind}}}{alignment}"
        opening, closing = _FENCES[match["fence"]]
        if begin:
            return rf"\left{opening}\begin{{{kind}}}{alignment}"
        return rf"\end{{{kind}}}\right{closing}{alignment}"

    return _FENCED_MATRIX.sub(fenced, _ENVIRONMENT.sub(replaced, latex))


def math_to_mathml(card_html: str) -> str:
    """`\\( … \\)` and `[$] … [/$]` inline, `\\[ … \\]` and `[$$] … [/$$]` display math as
    MathML, made here (no script from elsewhere). The MathML goes through its own
    allow-list: latex2mathml copies `\\text{}` verbatim. LaTeX it cannot read stays as
    written; a `[latex]` document becomes a code block of its source."""
    if not any(mark in card_html for mark in _MATH_MARKS) and "[latex]" not in card_html.lower():
        return card_html

    def convert(match: re.Match) -> str:
        if match["document"] is not None:
            if (readable := _latex_document(match["document"])) is not None:
                return readable
            source = html.unescape(_TAGS.sub("", _BREAK_TAGS.sub("\n", match["document"])))
            return f'<pre class="latex"><code>{html.escape(source.strip())}</code></pre>'
        inline = match["inline"] or match["old_inline"]
        latex = html.unescape(_TAGS.sub(" ", inline or match["display"] or match["old_display"]))
        latex = _with_readable_environments(_with_chemistry(latex))
        try:
            mathml = latex_to_mathml(latex, display="inline" if inline else "block")
        except Exception:  # latex2mathml raises many kinds on LaTeX it cannot read
            return match[0]
        return sanitize_mathml(mathml)

    pieces, position = [], 0
    for match in _math_found(card_html):
        pieces += [card_html[position : match.start()], convert(match)]
        position = match.end()
    pieces.append(card_html[position:])
    return "".join(pieces)


# A `[latex]` document's math: LaTeX's own `$ $` and `$$ $$` beside `\( \)` and `\[ \]`;
# a dollar escaped (`\$`) is a dollar.
_DOCUMENT_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$|\\\[(?P<display2>.+?)\\\]"
    r"|\\\((?P<inline2>.+?)\\\)|(?<!\\)\$(?P<inline>(?:[^$\\]|\\.)+?)\$",
    re.DOTALL,
)
# The longest `[latex]` document read as words and math (a field's worth): a longer one is
# shown as its source, as its math, each `\[` looked for its `\]` to the end, would take
# time growing with its length squared.
MAX_READABLE_DOCUMENT = 5000
# The text commands a document's words may use (no nesting), and LaTeX's escaped signs.
_DOCUMENT_STYLE = re.compile(r"\\(textbf|textit|emph|underline)\{([^{}\\]*)\}")
_DOCUMENT_STYLE_TAGS = {"textbf": "b", "textit": "i", "emph": "em", "underline": "u"}
_DOCUMENT_SIGN = re.compile(r"\\([%&_#$])|\\(?:ldots|dots)\b(?:\{\})?|\\\\")
# A comment, from an unescaped `%` to the end of its line (a line break of the card's HTML).
_DOCUMENT_COMMENT = re.compile(r"(?<!\\)%.*?(?=<br\s*/?>|</?(?:div|p)\b|\n|$)", re.I | re.S)
# Lists: `\begin{itemize}` and `\begin{enumerate}` (a label style after it left out), their
# `\item`s (a label of its own kept), and their ends.
_DOCUMENT_LIST = re.compile(
    r"\\(?P<edge>begin|end)\{(?P<kind>itemize|enumerate)\}(?:\[[^\]<>]*\])?"
    r"|\\item\b(?:\[(?P<label>[^\]<>]*)\])?\s*"
)
_LIST_TAGS = {"itemize": "ul", "enumerate": "ol"}
_BLOCK_TAGS = re.compile(r"<(?:div|p)\b[^>]*>|</(?:div|p)>", re.I)


def _latex_document(document_html: str) -> str | None:
    """A `[latex]` document that is words and math, as a page can show it without LaTeX:
    its math as MathML, its `\\` line breaks, bold and italics, and its escaped signs. A
    math note type wraps each field so ("[latex]{{Back}}[/latex]": sentences with `$x$`),
    and its source was hard to read as code. None for anything more (a package, an
    environment, a picture, math latex2mathml cannot read): the caller shows the source."""
    if len(document_html) > MAX_READABLE_DOCUMENT:
        return None
    # As LaTeX reads it, a comment runs to the end of its line, in math too.
    document_html = _DOCUMENT_COMMENT.sub("", document_html)
    if _DOCUMENT_LIST.search(document_html):
        # An editor puts each line in a <div>: the list's items would be cut apart by them.
        document_html = _BLOCK_TAGS.sub(
            lambda tag: "" if tag[0].lower().startswith(("<d", "<p")) else "<br>", document_html
        )
    pieces, position = [], 0
    for match in _DOCUMENT_MATH.finditer(document_html):
        pieces.append(_document_words(document_html[position : match.start()]))
        inline = match["inline"] or match["inline2"]
        latex = html.unescape(_TAGS.sub(" ", inline or match["display"] or match["display2"]))
        try:
            mathml = latex_to_mathml(
                _with_readable_environments(latex), display="inline" if inline else "block"
            )
        except Exception:  # latex2mathml raises many kinds on LaTeX it cannot read
            return None
        pieces.append(sanitize_mathml(mathml))
        position = match.end()
    pieces.append(_document_words(document_html[position:]))
    return None if None in pieces else "".join(pieces)


def _document_words(text_html: str) -> str | None:
    """The words of a `[latex]` document between its math, as HTML; None when they hold a
    command or a brace this cannot show (the document is then shown as its source)."""

    def styled(match: re.Match) -> str:
        tag = _DOCUMENT_STYLE_TAGS[match[1]]
        return f"<{tag}>{match[2]}</{tag}>"

    def sign(match: re.Match) -> str:
        if match[0] == "\\\\":
            return "<br>"
        return match[1] or "\u2026"

    def listed(match: re.Match) -> str:
        if match["edge"]:
            return f"<{'/' if match['edge'] == 'end' else ''}{_LIST_TAGS[match['kind']]}>"
        return f"<li>{match['label'] + ' ' if match['label'] else ''}"

    left = _DOCUMENT_SIGN.sub("", _DOCUMENT_STYLE.sub("", _DOCUMENT_LIST.sub("", text_html)))
    if any(mark in left for mark in "\\{}$"):
        return None
    shown = _DOCUMENT_LIST.sub(listed, text_html)
    return _DOCUMENT_SIGN.sub(sign, _DOCUMENT_STYLE.sub(styled, shown))


def _math_found(card_html: str) -> Iterator[re.Match]:
    """The matches `_MATH.finditer` gives, in time linear in the field: `_MATH` alone
    scans the rest of the field from each opener never closed (8,000 `[$]` took 2 s, a
    600 KB field hours), where no later opener of that kind is closed either."""
    position, unclosed = 0, set()
    while opener := MATH_OPENER.search(card_html, position):
        kind = opener[0].lower()
        # `.+?`: the math holds a character at least.
        if kind not in unclosed:
            closer = MATH_CLOSERS[kind].search(card_html, opener.end() + 1)
            if closer is None:
                unclosed.add(kind)
            elif match := _MATH.match(card_html, opener.start(), closer.end()):
                yield match
                position = match.end()
                continue
        position = opener.start() + 1


# Anki plays these through `[sound:]` in a video window (sign-language decks ask so).
VIDEO_SUFFIXES = (".mp4", ".m4v", ".webm", ".ogv", ".mov")


def sounds_to_audio(card_html: str, media: Mapping[str, str]) -> str:
    """`[sound:name]` as an audio player (a video player for a video) when `media` (name ->
    URL) has the file, else a visible "audio not available" mark."""
    if "[sound:" not in card_html:
        return card_html

    def player(match: re.Match) -> str:
        name = html.unescape(match[1])
        url = media.get(name)
        if url is None:
            return (
                f'<span class="{AUDIO_MISSING_CLASS}">audio not available '
                f"({html.escape(name)})</span>"
            )
        if name.lower().endswith(VIDEO_SUFFIXES):
            # "metadata": its first frame shows what the card asks before it is played.
            return f'<video controls preload="metadata" src="{html.escape(url)}"></video>'
        return f'<audio controls preload="none" src="{html.escape(url)}"></audio>'

    return _sounds_replaced(card_html, player)


def sound_names(card_html: str) -> list[str]:
    return [html.unescape(name) for name in _SOUND.findall(card_html, 0, _sounds_end(card_html))]


def _sounds_replaced(card_html: str, replacement: str | Callable[[re.Match], str]) -> str:
    end = _sounds_end(card_html)
    return _SOUND.sub(replacement, card_html[:end]) + card_html[end:]


def _sounds_end(card_html: str) -> int:
    """Where `_SOUND` may look: up to the last `]`. A `[sound:` after it is never closed,
    and `_SOUND` would scan the rest of the field from each (100,000 of them: minutes)."""
    return card_html.rfind("]") + 1


def page_ready(
    question_html: str,
    answer_html: str,
    images: Mapping[str, LocalImage],
    media: Mapping[str, str],
    *,
    cloze: int | None = None,
) -> tuple[str, str]:
    """Both sides of a card as pages show them. For cloze card `cloze`, `question_html` is
    the note's text and `answer_html` its Back Extra, shown below the filled-in text."""
    if cloze is not None:
        question = cloze_side(question_html, cloze, answer=False)
        answer = cloze_side(question_html, cloze, answer=True)
        if answer_html:
            answer += f'<div class="cloze-extra">{answer_html}</div>'
    else:
        question, answer = question_html, answer_html
    # Images first: localize_images re-serializes the HTML it parses, and the audio and
    # MathML markup added after it stays exactly as made here.
    return tuple(
        math_to_mathml(sounds_to_audio(localize_images(side, images), media))
        for side in (question, answer)
    )


# --- An answer as a multiple-choice option ---

# Inside a <button> only phrasing content is valid: blocks become classed spans that
# quiz.css lays out as paragraphs and list items, so a list still reads as a list.
_CHOICE_BLOCKS = {
    "p": "choice-block",
    "div": "choice-block",
    "blockquote": "choice-block",
    "h3": "choice-block",
    "h4": "choice-block",
    "tr": "choice-block",
    "ul": "choice-list",
    "ol": "choice-list choice-list-numbered",
    "li": "choice-item",
    "pre": "choice-pre",
    "td": "choice-cell",
    "th": "choice-cell",
}
_CHOICE_UNWRAPPED = {"a", "table", "thead", "tbody"}
_CODE_TAGS = {"code", "kbd", "pre"}
_BREAKS = {"br", *_CHOICE_BLOCKS}


@dataclass(frozen=True, kw_only=True)
class ChoiceContent:
    """An answer as a choice shows it: `html` fit for inside a button ("" when the answer
    cannot be a choice), its plain text (a line per list item or paragraph), and the share
    of that text that is code."""

    html: str
    text: str
    code_share: float


def answer_needs_image(answer_html: str) -> bool:
    """Whether the answer means nothing without its images: it is only images, or text
    announces an image ("... instead we can do this:")."""
    if "<img" not in answer_html:
        return False
    soup = BeautifulSoup(answer_html, "html.parser")
    if not soup.get_text().strip():
        return True
    for img in soup.find_all("img"):
        before = img.find_previous(string=lambda text: text.strip() != "")
        if before is not None and before.strip().endswith(":"):
            return True
    return False


def choice_content(
    answer_html: str,
    *,
    drop_words: int = 0,
    keep_words: int = 0,
    images: Mapping[str, LocalImage] | None = None,
) -> ChoiceContent:
    """The answer made into a choice: its first `drop_words` words left out (the question's
    echo, wording.echo_length), only the first `keep_words` of the rest kept when not 0 (a
    long answer's first sentences, wording.short_form_length), links reduced to their text,
    and images dropped, unless the
    answer needs them: then they are shown when cached, and the answer is no choice at all
    (empty html) while one is missing. Its math is MathML, as on the card's pages."""
    choice = _choice_markup(
        answer_html, drop_words=drop_words, keep_words=keep_words, images=images
    )
    # Math and sounds first: a minus inside `\( x^2 - 5 x - 6 \)` is no list's dash, and
    # the MathML they become is markup, which the list leaves alone.
    return _dashed_list_as_list(_with_math_without_sounds(choice))


# "get more data - augment data - add regularization": a list written on one line, which
# the quiz puts beside other lists (wording.answer_kind): shown as one line among bulleted
# lists, it stood out before a word was read, and read as one long sentence.
# A hyphen only: spaced en dashes (U+2013) set a clause off, as in a sentence.
_DASH = re.compile(r"\s-\s")


def _dashed_list_as_list(choice: ChoiceContent) -> ChoiceContent:
    """A plain one-line choice of three or more parts of two words or more between dashes,
    none of them ending a sentence, as a list; any other choice as it is."""
    if "<" in choice.html or "\n" in choice.text:
        return choice
    items = [item.strip() for item in _DASH.split(choice.html)]
    if len(items) < 3 or any(len(item.split()) < 2 or item[-1] in ".?!" for item in items):
        return choice
    listed = "".join(f'<span class="choice-item">{item}</span>' for item in items)
    return replace(
        choice,
        html=f'<span class="choice-list">{listed}</span>',
        text="\n".join(item.strip() for item in _DASH.split(choice.text)),
    )


def _with_math_without_sounds(choice: ChoiceContent) -> ChoiceContent:
    """`choice` with its math as MathML, where a player showed `\\(x^2\\)` as written, and
    its `[sound:…]` tags left out: no audio player fits inside a button, and a choice that
    is only a sound is no choice."""
    if "[sound:" in choice.html:
        html = _EDGE_BREAKS.sub("", _sounds_replaced(choice.html, "").strip())
        text = _sounds_replaced(choice.text, "").strip()
        if not text and "<img" not in html:
            return ChoiceContent(html="", text="", code_share=0.0)
        choice = replace(choice, html=html, text=text)
    return replace(choice, html=math_to_mathml(choice.html))


def _choice_markup(
    answer_html: str,
    *,
    drop_words: int,
    keep_words: int,
    images: Mapping[str, LocalImage] | None,
) -> ChoiceContent:
    images = images or {}
    if _INLINE_ONLY.fullmatch(answer_html):
        choice = _inline_choice(answer_html, drop_words=drop_words, keep_words=keep_words)
        if choice is not None:
            return choice
    needs_images = answer_needs_image(answer_html)
    if needs_images:
        urls = [img.get("src", "") for img in BeautifulSoup(answer_html, "html.parser")("img")]
        if any((images.get(url) or LocalImage(src=None)).src is None for url in urls):
            return ChoiceContent(html="", text="", code_share=0.0)
        answer_html = localize_images(answer_html, images)
    soup = BeautifulSoup(answer_html, "html.parser")
    if "<details" in answer_html:
        # A hint (Anki's `{{hint:}}`): no toggle opens inside a button, and it is no part
        # of the answer.
        for hint in soup("details"):
            hint.decompose()
    # Walks of the tree by hand: an import makes choices by the thousand, and find_all's
    # matching machinery cost more than the work itself.
    for tag in _tags(soup):
        if tag.name == "img" and not needs_images:
            tag.decompose()
        elif tag.name in _CHOICE_UNWRAPPED:
            tag.unwrap()
        elif tag.name == "hr":  # no rule in a button: the parts it parts go on lines
            tag.replace_with(soup.new_tag("br"))
        elif "style" in tag.attrs:
            _drop_colours(tag)
    if drop_words > 0:
        _drop_leading_words(soup, drop_words)
    if keep_words > 0:
        _keep_leading_words(soup, keep_words)
    _trim_edges(soup)
    text = soup_to_text(soup)
    code_text = []
    for tag in _tags(soup):
        if tag.name in _CODE_TAGS and not tag.find_parent(_CODE_TAGS):
            code_text.append(tag.get_text())
    plain_length = len("".join(text.split()))
    code_share = len("".join("".join(code_text).split())) / plain_length if plain_length else 0.0
    for tag in _tags(soup):
        if tag.name in _CHOICE_BLOCKS:
            tag.attrs = {"class": _CHOICE_BLOCKS[tag.name]}
            tag.name = "span"
    return ChoiceContent(html=str(soup).strip(), text=text, code_share=code_share)


def _drop_colours(tag: Tag) -> None:
    """A colour only the right answer has would point at it among the wrong ones (red for
    the wrong word, green for the right one): a choice shows none, the card after it does."""
    style = style_without_colours(tag["style"])
    if style is not None:
        tag["style"] = style
    elif tag.name == "span":
        tag.unwrap()
    else:
        del tag["style"]


def _tags(soup: BeautifulSoup) -> list[Tag]:
    return [node for node in soup.descendants if isinstance(node, Tag)]


# Text with no markup but inline tags without attributes, and line breaks: most answers.
# Choices are made of these without a parser (imports write them by the thousand).
_INLINE_TAGS = "code|kbd|strong|em|b|i|u|sub|sup"
_INLINE_ONLY = re.compile(rf"(?:[^<&]|&(?!nbsp;)[#\w]+;|</?(?:{_INLINE_TAGS})>|<br>)*")
_SEGMENT = re.compile(r"(<[^>]*>)")
_EDGE_BREAKS = re.compile(r"^(?:\s|<br>)+|(?:\s|<br>)+$")


def _inline_choice(answer_html: str, *, drop_words: int, keep_words: int) -> ChoiceContent | None:
    """choice_content for an answer of `_INLINE_ONLY` HTML, on its text and tags; None for
    a line break inside an element, which is left to the parser."""
    pieces = _SEGMENT.split(answer_html.strip())
    text, first_break, open_count = "", None, 0
    for piece in pieces:
        if piece == "<br>":
            if open_count:
                return None
            # The echo is dropped from the first line only: the one with text before a break.
            if first_break is None and text.strip():
                first_break = len(text)
        elif piece.startswith("</"):
            open_count -= 1
        elif piece.startswith("<"):
            open_count += 1
        else:
            text += piece
    if first_break is None:
        first_break = len(text)
    start = end = None
    lead_words = list(re.finditer(r"\S+", text[:first_break]))
    if drop_words > 0 and lead_words:
        start = lead_words[min(drop_words, len(lead_words)) - 1].end()
        start += len(text[start:first_break]) - len(text[start:first_break].lstrip())
    if keep_words > 0:
        # Counted over the text left after the echo, as one string (as the parser's path).
        rest = list(re.finditer(r"\S+", text[start or 0 :]))
        if len(rest) > keep_words:
            end = (start or 0) + rest[keep_words - 1].end()
    html_out, code_chars, plain_chars, open_tags = [], 0, 0, []
    position = 0  # in `text`
    first_text = True
    for piece in pieces:
        if piece == "<br>":
            if end is None or position < end:
                html_out.append(piece)
            continue
        if piece.startswith("<"):
            if end is not None and position >= end:
                if piece.startswith("</") and open_tags:
                    html_out.append(piece)
                    open_tags.pop()
                continue
            html_out.append(piece)
            if piece.startswith("</"):
                if open_tags:
                    open_tags.pop()
            else:
                open_tags.append(piece[1:-1])
            continue
        lo = max(start or 0, position)
        hi = min(end if end is not None else len(text), position + len(piece))
        position += len(piece)
        shown = (
            piece[lo - (position - len(piece)) : hi - (position - len(piece))] if hi > lo else ""
        )
        in_code = any(tag in ("code", "kbd") for tag in open_tags)
        capitalizable = first_text and lo < first_break
        if capitalizable and shown.strip() and start and not in_code and shown[:1].islower():
            shown = shown[0].upper() + shown[1:]
        if shown.strip():
            first_text = False
        html_out.append(shown)
        visible = len("".join(html.unescape(shown).split()))
        plain_chars += visible
        code_chars += visible if in_code else 0
    markup = "".join(html_out)
    # Elements emptied by the cut go, then whatever whitespace is left at the edges.
    emptied = re.compile(rf"<({_INLINE_TAGS})>\s*</\1>")
    while emptied.search(markup):
        markup = emptied.sub("", markup)
    markup = _EDGE_BREAKS.sub("", markup)
    lines = (
        " ".join(html.unescape(_SEGMENT.sub("", line)).split()) for line in markup.split("<br>")
    )
    plain = "\n".join(line for line in lines if line)
    return ChoiceContent(
        html=markup, text=plain, code_share=code_chars / plain_chars if plain_chars else 0.0
    )


def _lead_strings(soup: BeautifulSoup) -> list[NavigableString]:
    """The text nodes of the answer's first line: up to the first line break or block."""
    strings: list[NavigableString] = []
    for node in soup.descendants:
        if isinstance(node, Tag) and node.name in _BREAKS:
            if strings:
                break
            continue
        if type(node) is NavigableString and (strings or node.strip()):
            strings.append(node)
    return strings


def _drop_leading_words(soup: BeautifulSoup, count: int) -> None:
    strings = _lead_strings(soup)
    lead = "".join(strings)
    words = list(re.finditer(r"\S+\s*", lead))
    if not words:
        return
    left = words[min(count, len(words)) - 1].end() + (len(lead) - len(lead.lstrip()))
    rest = None
    for string in strings:
        if left <= 0:
            rest = rest or string
            break
        if len(string) <= left:
            left -= len(string)
            parent = string.parent
            string.extract()
            while parent is not soup and parent is not None and not _shows_something(parent):
                grandparent = parent.parent
                parent.decompose()
                parent = grandparent
        else:
            rest = NavigableString(string[left:])
            string.replace_with(rest)
            left = 0
    # A sentence cut after its restated start begins with a capital; code stays as written.
    if rest is not None and not rest.find_parent(_CODE_TAGS):
        stripped = rest.lstrip()
        if stripped[:1].islower():
            rest.replace_with(NavigableString(stripped[0].upper() + stripped[1:]))


def _keep_leading_words(soup: BeautifulSoup, count: int) -> None:
    """Cut the text after its first `count` words (counted as wording counts them, over the
    text of the whole answer), with the elements that are left empty."""
    strings = [node for node in soup.find_all(string=True) if type(node) is NavigableString]
    text = "".join(strings)
    words = list(re.finditer(r"\S+", text))
    if count >= len(words):
        return
    keep = words[count - 1].end()
    for string in strings:
        if keep >= len(string):
            keep -= len(string)
            continue
        parent = getattr(string, "parent", None)
        if parent is None:
            continue  # went with an element emptied before it (decompose clears it)
        if keep > 0:
            string.replace_with(NavigableString(string[:keep].rstrip()))
            keep = 0
        else:
            string.extract()
            while parent is not soup and parent is not None and not _shows_something(parent):
                grandparent = parent.parent
                parent.decompose()
                parent = grandparent


def _shows_something(tag: Tag) -> bool:
    return bool(tag.get_text().strip()) or tag.find("img") is not None


def _trim_edges(soup: BeautifulSoup) -> None:
    """No line breaks or empty elements before or after the choice's text."""
    for edge in (0, -1):
        while soup.contents:
            node = soup.contents[edge]
            blank_tag = isinstance(node, Tag) and node.name != "img" and not _shows_something(node)
            if blank_tag or (isinstance(node, NavigableString) and not node.strip()):
                node.extract()
            else:
                break
