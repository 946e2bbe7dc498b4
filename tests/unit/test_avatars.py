"""Avatars are drawn from a member's name and id alone: no outside service, no style attribute."""
import pytest

from ideaportal.templating import AVATAR_COLOURS, avatar_colour, initials


@pytest.mark.parametrize("name, letters", [("lee", "L"), ("ana_pm", "AP"), ("mary-jo.smith", "MJ"), ("Ünal", "Ü"),
                                           ("__", "_"), ("42go", "4")])
def test_initials_take_the_first_letter_of_the_first_two_words(name, letters):
    assert initials(name) == letters


def test_a_members_colour_is_stable_and_neighbours_spread_over_every_colour():
    assert avatar_colour(7) == avatar_colour(7)
    colours = {avatar_colour(user_id) for user_id in range(1, 41)}
    assert colours == set(range(AVATAR_COLOURS))
