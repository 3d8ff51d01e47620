"""Code and data URLs found in a paper's text, never invented: the result's `code_urls`.

PDF text breaks long URLs across lines ("https://github.com/org/" / "repo-name"), so a URL
that ends a line is joined with the next line when it is visibly unfinished.
"""

from __future__ import annotations

import re

_HOSTS = (r"github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|hf\.co|codeberg\.org|"
          r"sourceforge\.net|zenodo\.org")
_PATH = r"(?:/[^\s<>\"'{}|\\^`\[\]]*)?"
_URL = re.compile(
    rf"(?i)(?:https?://(?:[\w-]+\.)*(?:{_HOSTS})(?![\w-]|\.\w){_PATH}"
    rf"|(?<![\w.@/-])(?:[\w-]+\.)*(?:{_HOSTS})(?![\w-]|\.\w){_PATH}"
    rf"|(?:https?://)?(?:dx\.)?doi\.org/10\.5281/zenodo\.\d+)")
# The URL-like text that ends a line is found in linear time (`_url_at_end`): a regex
# searched for it with `$` retries every start position and is quadratic in the line
# length (a 40,000-character line took 29.5 s).
_SCHEME = re.compile(r"(?i)https?://")
_SCHEME_AT_END = re.compile(r"(?i)https?:/?/?\Z")
_HOST_AT_END = re.compile(rf"(?i)(?:{_HOSTS}|doi\.org)(?=/|\Z)")
_CONTINUATION = re.compile(r"[\w\-./~%?=&#+:@]+")
_OPEN_ENDS = tuple("/-_:=&?#~%")
_TRAILING = ".,;:!?'\"*"
# path segments a URL on these hosts needs before it names a repository or data set
_MIN_SEGMENTS = {"github.com": 2, "gitlab.com": 2, "bitbucket.org": 2, "codeberg.org": 2,
                 "huggingface.co": 2, "hf.co": 2, "sourceforge.net": 2, "zenodo.org": 2}


def find_code_urls(text: str) -> list[str]:
    """Repository / model / data-set URLs in `text`, https, in order of first appearance."""
    found: list[str] = []
    seen: set[str] = set()
    for m in _URL.finditer(_join_broken(text)):
        url = _normalise(m.group(0))
        if url is None:
            continue
        key = url.lower().rstrip("/")
        if key not in seen:
            seen.add(key)
            found.append(url)
    return found


def _join_broken(text: str) -> str:
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        tail = _url_at_end(prev)
        cont = _CONTINUATION.match(line.lstrip())
        if tail and cont and _unfinished(tail, cont.group(0)):
            out[-1] = prev + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def _url_at_end(line: str) -> str | None:
    """The URL (or URL start) that ends `line`: a host of _HOSTS or doi.org with its
    subdomains and path, anything after http(s)://, or a bare "https:" / "https:/", taken
    from its leftmost start. Linear in the length of the line."""
    i = len(line)
    while i and not line[i - 1].isspace():
        i -= 1
    token = line[i:]
    if not token:
        return None
    starts = []
    for m in (_SCHEME.search(token), _SCHEME_AT_END.search(token)):
        if m:
            starts.append(m.start())
    for m in _HOST_AT_END.finditer(token):
        starts.append(_labels_before(token, m.start()))
    return token[min(starts):] if starts else None


def _labels_before(token: str, at: int) -> int:
    """Where the run of "label." subdomains that ends at `at` begins ("a.b." before a host)."""
    start = at
    while start > 0 and token[start - 1] == ".":
        j = start - 1
        while j > 0 and (token[j - 1].isalnum() or token[j - 1] in "_-"):
            j -= 1
        if j == start - 1:
            break
        start = j
    return start


def _unfinished(url: str, cont: str) -> bool:
    if url.endswith(_OPEN_ENDS) or cont.startswith("/"):
        return True
    if url.endswith(".") and cont[:1].islower():
        return True  # "github." / "com/..."; a sentence-ending period is followed by a capital
    host, _, path = re.sub(r"(?i)^https?://", "", url).partition("/")
    need = _MIN_SEGMENTS.get(host.lower().removeprefix("www."))
    return need is not None and len([s for s in path.split("/") if s]) < need and "/" in cont


def _normalise(raw: str) -> str | None:
    url = raw
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    url = re.sub(r"(?i)^https?://", "", url)
    host, sep, path = url.partition("/")
    host = host.lower().removeprefix("www.")
    if not path.strip("/"):
        return None
    if host in ("github.com", "gitlab.com", "codeberg.org", "bitbucket.org") and path.endswith(".git"):
        path = path[:-4]
    return f"https://{host}/{path.rstrip('/')}"
