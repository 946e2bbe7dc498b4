"""Find markup in a page that could run script: what "nothing executes" means in these tests."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Scanner(HTMLParser):
    def __init__(self, script_prefix: str):
        super().__init__(convert_charrefs=True)
        self.script_prefix = script_prefix
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith(self.script_prefix):
            self.problems.append(f"<script> not from {self.script_prefix}: {attrs}")
        if tag in {"iframe", "object", "embed", "svg", "math", "base"}:
            self.problems.append(f"<{tag}> element: {attrs}")
        if tag == "img" and not (attributes.get("src") or "").startswith(self.script_prefix):
            self.problems.append(f"<img> not from {self.script_prefix}: {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def unsafe_markup(html: str, *, script_prefix: str = "/static/") -> list[str]:
    """Every element or attribute in `html` that could execute script, or [] when there is none."""
    scanner = _Scanner(script_prefix)
    scanner.feed(html)
    scanner.close()
    return scanner.problems
