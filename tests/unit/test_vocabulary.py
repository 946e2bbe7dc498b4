"""One term per meaning across the templates (docs/vocabulary.md): the retired words fail the build."""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
RETIRED = {
    r"\bscore\b": "say “votes” (up minus down)",
    r"\bnet votes?\b|\bvotes? net\b": "say “votes” (up minus down)",
    r"\bofficial response\b": "say “Official answer”",
    r"\bup-?votes?\b|\bdown-?votes?\b": "say “up” and “down” (“17 up · 3 down”, “up votes”)",
}
FILTER_BUTTON = re.compile(r"<button[^>]*>\s*(Show|Find|Filter|Go|Apply)\s*</button>")
HAND_DRAWN_OFFICIAL = re.compile(r'class="badge badge--official"')


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))


def words_people_read(source: str) -> str:
    """The template's text as people read it: HTML tags and Jinja code left out, but the quoted strings that
    Jinja code passes to macros (headings, notes) kept."""
    code = " ".join(re.findall(r"{[{%].*?[}%]}", source, re.S))
    quoted = " ".join(single or double for single, double in re.findall(r"'([^']*)'|\"([^\"]*)\"", code))
    text = re.sub(r"{#.*?#}|{[{%].*?[}%]}", " ", source, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    return f"{text} {quoted}"


@pytest.mark.parametrize("path", templates(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_templates_use_one_word_for_each_meaning(path):
    source = path.read_text(encoding="utf-8")
    text = words_people_read(source)
    found = [f"{match.group(0)!r}: {advice}" for pattern, advice in RETIRED.items()
             for match in re.finditer(pattern, text, re.IGNORECASE)]
    found += [f"a filter button says {match.group(1)!r}: say “Apply filters”" for match in FILTER_BUTTON.finditer(source)]
    if path.name != "_macros.html" or path.parent != TEMPLATES:
        found += ["an official badge drawn by hand: use the official_answer() macro"
                  for _ in HAND_DRAWN_OFFICIAL.finditer(source)]
    assert found == []


def test_the_check_sees_words_in_text_and_in_macro_arguments():
    assert re.search(r"\bscore\b", words_people_read("<p>Score <strong>{{ idea.score }}</strong></p>"), re.I)
    assert re.search(r"\bnet votes\b", words_people_read("{{ ranked('week', 'Top', board, 'Net votes cast') }}"), re.I)
    assert not re.search(r"\bscore\b", words_people_read("<span>{{ card.score }} votes</span>"), re.I)
