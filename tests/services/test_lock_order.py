"""Bulk status changes and merges at once over ideas that share authors, site-total shares and status counts:
neither fails, and every stored number still agrees with the rows."""
import random
from concurrent.futures import ThreadPoolExecutor

from ideaportal import counters, transaction
from ideaportal.extensions import db
from ideaportal.merges.services import merge_idea, unmerge_idea
from ideaportal.transaction import is_retryable
from ideaportal.triage.services import bulk_change_status
from tests import factories

ROUNDS = 25


def test_bulk_status_changes_and_merges_at_once_neither_fail_nor_deadlock_and_the_counters_stay_exact(
        app, monkeypatch):
    """Each writes several ideas, and triggers on `idea` write their authors' points, the site totals' shares
    and the status counts as each idea changes. Merged ideas stay out of the bulk changes (those refuse a
    merged idea by design), but the merges' targets are in them, and all share authors, shares and counts.

    Both would run again as a deadlock's victim; this counts the deadlocks too, so that the lock order, not
    the retry, is what passes. (Before it, about every other run of PostgreSQL saw one.)"""
    lost = []

    def noted(error) -> bool:
        lost.append(repr(error.orig))
        return is_retryable(error)

    monkeypatch.setattr(transaction, "is_retryable", noted)
    pm = factories.user(role="pm")
    authors = [factories.user() for _ in range(3)]
    categories = [factories.category() for _ in range(2)]
    ideas = [factories.idea(author=authors[number % 3], category_row=categories[number % 2]).id
             for number in range(24)]
    pairs = [(ideas[number], ideas[number + 1]) for number in range(0, 8, 2)]  # (source, target), other authors
    sources = {source for source, _ in pairs}
    changeable = [idea for idea in ideas if idea not in sources]
    failures = []

    def bulk() -> None:
        rng = random.Random(1)
        with app.app_context():
            for round_ in range(ROUNDS):
                chosen = rng.sample(changeable, 8)
                try:
                    bulk_change_status(idea_ids=chosen, actor_id=pm.id, response=f"Round {round_}.",
                                       status_slug=rng.choice(["planned", "under_review", "implemented"]))
                except Exception as error:  # noqa: BLE001 (any failure is what this test is about)
                    failures.append(f"bulk: {error!r}")
            db.session.remove()

    def merges() -> None:
        with app.app_context():
            for round_ in range(ROUNDS):
                source, target = pairs[round_ % len(pairs)]
                try:
                    merge_idea(source_id=source, target_id=target, actor_id=pm.id)
                    unmerge_idea(idea_id=source, actor_id=pm.id)
                except Exception as error:  # noqa: BLE001
                    failures.append(f"merge: {error!r}")
            db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        for outcome in [pool.submit(bulk), pool.submit(merges)]:
            outcome.result()
    assert failures == [] and lost == []
    db.session.expire_all()
    assert counters.check() == []
