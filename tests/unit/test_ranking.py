"""BM25F similarity and the synonym table, without a database."""
import pytest

from ideaportal.search import ranking, synonyms


def question(title_words: dict[str, float], frequencies: dict[str, float], total: float = 1_000):
    idf = {word: ranking.inverse_frequency(count, total) for word, count in frequencies.items()}
    return ranking.Question(title_words, idf, frozenset(title_words))


def test_an_idea_saying_everything_asked_scores_about_one_and_one_saying_nothing_zero():
    asked = question({"dark": 1.0, "theme": 1.0}, {"dark": 10, "theme": 20})
    same = ranking.document("Dark theme", "A dark theme, please.")
    other = ranking.document("Export to PDF", "With page numbers.")
    assert ranking.similarity(asked, same, same.length) == pytest.approx(1.0, abs=0.15)
    assert ranking.similarity(asked, other, other.length) == 0.0


def test_a_rare_word_shared_counts_more_than_a_common_one():
    asked = question({"widget": 1.0, "app": 1.0}, {"widget": 3, "app": 900})
    rare = ranking.document("Widget", "On the home screen.")
    common = ranking.document("App", "On the home screen.")
    assert ranking.similarity(asked, rare, 4) > 3 * ranking.similarity(asked, common, 4)


def test_words_in_the_title_count_more_than_in_the_body():
    asked = question({"calendar": 1.0}, {"calendar": 5})
    in_title = ranking.document("Calendar sync", "Both ways.")
    in_body = ranking.document("Sync both ways", "With my calendar.")
    assert ranking.score(asked, in_title, 4) > ranking.score(asked, in_body, 4)


def test_an_unknown_word_matches_a_near_spelling_only_when_told():
    idea = ranking.document("Keyboard shortcuts", "For menus.")
    near = ranking.near_spellings({"keybord"}, set(idea.counts))
    assert near == {"keybord": {"keyboard": pytest.approx(6 / 11)}}
    asked = ranking.Question({"keybord": 1.0}, {"keybord": 5.0}, frozenset({"keybord"}), near)
    assert 0 < ranking.similarity(asked, idea, idea.length) < 1
    assert ranking.near_spellings({"zebra"}, set(idea.counts)) == {"zebra": {}}


def test_a_phrase_brings_its_groups_words_in_order_only():
    found = synonyms.expand(["night", "mode"])
    assert {"dark", "theme"} <= set(found) and "night" not in found
    assert "dark" not in synonyms.expand(["mode", "night"])  # not the phrase "night mode"
    assert synonyms.expand(["exporting"])[:1] == ["download"]  # stems compared
    assert synonyms.expand(["zebra"]) == []


def test_every_group_has_at_least_two_phrases():
    for line in synonyms.GROUPS.splitlines():
        assert len([phrase for phrase in line.split("|") if phrase.strip()]) >= 2, line
