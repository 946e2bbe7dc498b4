"""Leaderboard benchmark: the whole /leaderboard page, each of its sections, and a member's profile.

    .venv/bin/python benchmarks/bench_leaderboard.py --ideas 1000000            # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_leaderboard.py --ideas 1000000 --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed` (each vote dated at its idea's creation, over three years),
then makes the data look like a live portal: `--recent-votes` votes are re-dated to random
moments of the last 30 days (old ideas still gaining votes), one idea in 200 is hidden, and one in
50 belongs to a Storm Session. Times whole requests through the Flask test client (routing,
queries, template) and each section's queries alone; reports medians.
With `--reuse` and a database that already holds ideas, seeding is skipped.
"""
import random
import time
from datetime import timedelta
from urllib.parse import urlencode

from _timing import analyze, arguments, median_ms, migrated_app
from sqlalchemy import func, select, update

from ideaportal.bench import seed
from ideaportal.extensions import db
from ideaportal.leaderboard import profiles, queries
from ideaportal.models import Campaign, Category, Idea, User, Vote, utcnow

CAMPAIGN = "bench-session"


def make_live(recent_votes: int, seed_value: int = 1) -> str:
    """Recent votes, a few hidden ideas and a Storm Session, as a running portal has them."""
    started = time.perf_counter()
    rng = random.Random(seed_value)
    now = utcnow()
    low, high = db.session.execute(select(func.min(Vote.id), func.max(Vote.id))).one()
    ids = rng.sample(range(low, high + 1), min(recent_votes, high - low + 1))
    for start in range(0, len(ids), 5_000):
        rows = [{"id": vote_id, "created_at": now - timedelta(seconds=rng.uniform(0, 30 * 86_400))}
                for vote_id in ids[start:start + 5_000]]
        db.session.execute(update(Vote), rows)
    db.session.execute(update(Idea).where(Idea.id % 200 == 0).values(is_hidden=True))
    campaign = Campaign(slug=CAMPAIGN, title="Benchmark session", question="What should we build?",
                        starts_at=now - timedelta(days=60), ends_at=now + timedelta(days=30))
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(update(Idea).where(Idea.id % 50 == 7).values(campaign_id=campaign.id))
    db.session.commit()
    analyze()
    return f"Re-dated {len(ids):,} votes into the last 30 days in {time.perf_counter() - started:.1f} s."


def main() -> None:
    parser = arguments(__doc__.splitlines()[0], repeats=15)
    parser.set_defaults(users=20_000, votes_per_idea=10)  # up to 10 votes per idea: about 5 on average
    parser.add_argument("--recent-votes", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="skip seeding when the database already has ideas")
    args = parser.parse_args()

    with migrated_app(args.database_url) as app:
        if not (args.reuse and db.session.scalar(select(func.count(Idea.id)))):
            print(seed(ideas=args.ideas, users=args.users, votes_per_idea=args.votes_per_idea))
            print(make_live(args.recent_votes))
        report(app, args.repeats)


def report(app, repeats: int) -> None:
    now = utcnow()
    ideas, votes = (db.session.scalar(select(func.count()).select_from(table)) for table in (Idea, Vote))
    week, month = (db.session.scalar(select(func.count()).where(Vote.created_at >= start))
                   for start in (now - timedelta(days=7), now - timedelta(days=30)))
    print(f"{db.engine.dialect.name}: {ideas:,} ideas, {votes:,} votes ({week:,} in the last 7 days, "
          f"{month:,} in the last 30)")
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0  # time the queries, not the cache
    client = app.test_client()
    category = db.session.scalar(select(Category.slug).order_by(Category.id))
    print("uncached: request = the whole /leaderboard page; the other columns time each section's queries")
    print(f"{'scope':<20} {'request':>9} {'week':>8} {'month':>8} {'rising':>8} {'all time':>9} "
          f"{'contributors':>13} {'cards':>7}")
    for label, filters in (("everything", {}), (f"category {category}", {"category": category}),
                           ("one campaign", {"campaign": CAMPAIGN})):
        times = time_sections(client, filters, now, repeats)
        print(f"{label:<20} {times['request']:>7.1f}ms {times['week']:>6.1f}ms {times['month']:>6.1f}ms "
              f"{times['rising']:>6.1f}ms {times['all time']:>7.1f}ms {times['contributors']:>11.1f}ms "
              f"{times['cards']:>5.1f}ms")
    for username in (queries.top_contributors(limit=1)[0].username, newest_author()):
        time_profile(client, profiles.find_member(username), repeats)
    app.config["LEADERBOARD_CACHE_SECONDS"] = 60
    cached = median_ms(lambda: client.get("/leaderboard"), repeats)
    cached_profile = median_ms(lambda: client.get(f"/users/{newest_author()}"), repeats)
    print(f"cached (60 s): /leaderboard {cached:.1f} ms, a profile {cached_profile:.1f} ms")


def time_sections(client, filters: dict, now, repeats: int) -> dict[str, float]:
    scope = queries.resolve_scope(**filters)
    arguments = f"?{urlencode(filters)}" if filters else ""
    assert client.get(f"/leaderboard{arguments}").status_code == 200
    sections = {
        "request": lambda: client.get(f"/leaderboard{arguments}"),
        "week": lambda: queries.top_in_window("week", scope=scope, now=now),
        "month": lambda: queries.top_in_window("month", scope=scope, now=now),
        "rising": lambda: queries.rising(scope=scope, now=now),
        "all time": lambda: queries.top_all_time(scope=scope),
        "contributors": lambda: queries.top_contributors(scope=scope),
        "cards": lambda: queries.idea_rows(set(range(1, 41))),
    }
    return {key: median_ms(action, repeats) for key, action in sections.items()}


def time_profile(client, member, repeats: int) -> None:
    request_ms = median_ms(lambda: client.get(f"/users/{member.username}"), repeats)
    stats_ms = median_ms(lambda: profiles.member_stats(member.id), repeats)
    ladder_ms = median_ms(queries.points_ladder, repeats)
    print(f"uncached profile of {member.username}: request {request_ms:.1f} ms, stats {stats_ms:.1f} ms, "
          f"rank (all contributors' points) {ladder_ms:.1f} ms")


def newest_author() -> str:
    return db.session.scalar(
        select(User.username).join(Idea, Idea.author_id == User.id).order_by(Idea.id.desc()).limit(1)
    )


if __name__ == "__main__":
    main()
