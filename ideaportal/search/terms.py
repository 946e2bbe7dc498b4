"""Search text in Python: words, stop words, stems, and FTS5 queries that cannot be malformed.

No Flask, no database. Whatever a person types becomes either a query made only of quoted
words and the operators we add, or nothing at all, so no input is a syntax error.
"""
import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

MAX_QUERY_CHARS = 256  # longer input is cut: nobody searches with a page of text
MAX_TERMS = 24
MAX_WORD_CHARS = 60
# PostgreSQL's `english` stop words (tsearch_data/english.stop): a query has words on both databases or on neither.
STOPWORDS = frozenset("""
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is
    are was were be been being have has had having do does did doing a an the and but if or because as until
    while of at by for with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just don should now
""".split())
WORD = re.compile(r"[^\W_]+")  # letters and digits: punctuation, spaces and underscores separate words
CHUNK = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')  # a "phrase" (maybe unclosed) or a run of non-space
_stemmer = snowballstemmer.stemmer("english")


def clean(query_text: str | None) -> str:
    """The text as the databases receive it: without NUL (PostgreSQL refuses it), at most MAX_QUERY_CHARS."""
    return (query_text or "").replace("\x00", " ")[:MAX_QUERY_CHARS]


def words(text: str) -> list[str]:
    """Lower-cased words, in order, bounded in length."""
    return [word[:MAX_WORD_CHARS] for word in WORD.findall(text.lower())]


def informative_words(text: str) -> list[str]:
    """The words that are not stop words, each once, in order of first appearance."""
    return list(dict.fromkeys(word for word in words(text) if word not in STOPWORDS))


def has_terms(query_text: str | None) -> bool:
    """True when the query has at least one word that is not a stop word."""
    return bool(informative_words(clean(query_text)))


def unfinished_word(text: str) -> tuple[int, str]:
    """(where it starts, the word) for the word being typed at the end of `text`; (len, "") when there is none.

    A word counts when nothing follows it yet and it is long enough to narrow things down.
    """
    last = next(reversed(list(WORD.finditer(text))), None)
    if last is None or last.end() != len(text) or len(last.group()) < 3 or last.group().lower() in STOPWORDS:
        return len(text), ""
    return last.start(), last.group().lower()[:MAX_WORD_CHARS]


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The word's Snowball English stem: "exporting" and "exports" are "export" (PostgreSQL's `english` too)."""
    return _stemmer.stemWord(word)


def quote(word: str) -> str:
    """An FTS5 string: the text in double quotes, any double quote doubled."""
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Part:
    text: str  # an FTS5 phrase made of quoted words
    negated: bool = False


def fts5_query(query_text: str | None) -> str | None:
    """The FTS5 form of web-search text, like PostgreSQL's websearch_to_tsquery; None when no word is left.

    Words are ANDed; "quoted words" must be adjacent; `or` between two terms means either;
    a leading `-` excludes a term. Stop words are dropped outside quotes.
    """
    groups: list[list[_Part]] = [[]]
    for match in CHUNK.finditer(clean(query_text)):
        minus, phrase, bare_minus, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            groups.append([])
            continue
        found = words(phrase) if phrase is not None else [w for w in words(bare) if w not in STOPWORDS]
        if found and sum(len(group) for group in groups) < MAX_TERMS:
            groups[-1].append(_Part(" + ".join(quote(word) for word in found), bool(minus or bare_minus)))
    expressions = [_group_expression(group) for group in groups]
    expressions = [expression for expression in expressions if expression]
    return " OR ".join(f"({expression})" for expression in expressions) or None


def _group_expression(parts: list[_Part]) -> str | None:
    positive = [part.text for part in parts if not part.negated]
    if not positive:  # FTS5's NOT needs something on its left; "-word" alone finds nothing
        return None
    negative = "".join(f" NOT {part.text}" for part in parts if part.negated)
    return f"({' '.join(positive)}){negative}"


def fts5_any(words: list[str], *, prefixes: frozenset[str] = frozenset(), titles_only: bool = False) -> str | None:
    """FTS5: any of these words; those in `prefixes` also match as the start of a longer word."""
    expression = " OR ".join(quote(word) + ("*" if word in prefixes else "") for word in words[:MAX_TERMS])
    if expression and titles_only:
        return f"{{title}} : ({expression})"
    return expression or None


def tsquery_any(words: list[str], *, prefixes: frozenset[str] = frozenset(), titles_only: bool = False) -> str | None:
    """PostgreSQL to_tsquery text: any of these words. Words are letters and digits only, so quoting is safe."""
    title = "A" if titles_only else ""  # the title's weight
    return " | ".join(
        f"'{word}'" + (f":*{title}" if word in prefixes else f":{title}" if title else "")
        for word in words[:MAX_TERMS] if WORD.fullmatch(word)
    ) or None


def rare_first(frequencies: dict[str, float], budget: float) -> tuple[list[str], bool]:
    """The words to look for, and whether only in titles: rarest first, while their ideas add up to `budget`.

    Ranking costs one step per idea with any of the words, so common words are left out (the
    re-ranking still counts them); when even the rarest word is over budget, it is looked for
    in titles only.
    """
    chosen, total = [], 0.0
    for word in sorted(frequencies, key=lambda word: frequencies[word]):
        if total + frequencies[word] > budget:
            break
        chosen.append(word)
        total += frequencies[word]
    if chosen:
        return chosen, False
    return sorted(frequencies, key=lambda word: frequencies[word])[:1], True
