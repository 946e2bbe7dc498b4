"""Notifications benchmark: what telling followers costs the request that changes an idea, and the bell.

    .venv/bin/python benchmarks/bench_notifications.py --ideas 10000 --followers 10000
    .venv/bin/python benchmarks/bench_notifications.py --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed`, then gives one idea `--followers` followers (bulk rows, half
of them wanting status mail at once). Times, as medians:
- a public status change through the service, on an idea with no followers (the baseline in the
  same run) and on the idea with many: the notification rows and outbox rows are set-based SQL;
- a vote through the HTTP endpoint (the Flask test client), which now also follows the idea;
- the idea list for a visitor and for a signed-in member with many unread notifications (the bell's
  count and the server-side session are the difference).
"""
import time

from _timing import analyze, arguments, median_ms, seeded_app
from sqlalchemy import func, insert, select, update

from ideaportal.auth.services import register
from ideaportal.extensions import db
from ideaportal.models import Idea, Notification, NotificationSetting, OutboxMessage, Subscription, User, utcnow
from ideaportal.triage.services import change_status

PASSWORD = "benchmark password 1"


def follow_all(idea_id: int, limit: int) -> int:
    """`limit` members follow the idea; every other one wants status mail in the daily digest."""
    users = list(db.session.scalars(select(User.id).order_by(User.id).limit(limit)))
    now = utcnow()
    db.session.execute(insert(Subscription), [{"user_id": user, "idea_id": idea_id, "created_at": now}
                                              for user in users])
    db.session.execute(insert(NotificationSetting), [{"user_id": user, "kind": "status", "email": "daily"}
                                                     for user in users[::2]])
    db.session.commit()
    return len(users)


def statuses_back_and_forth(idea_id: int, actor_id: int):
    """A change to `under_review`, then back to `new` (neither needs a response), timed as one action."""
    state = {"next": "under_review"}

    def action():
        change_status(idea_id=idea_id, actor_id=actor_id, status_slug=state["next"], response="Looking at it.")
        state["next"] = "new" if state["next"] == "under_review" else "under_review"

    return action


def main() -> None:
    parser = arguments(__doc__.splitlines()[0], repeats=15)
    parser.add_argument("--followers", type=int, default=10_000)
    args = parser.parse_args()
    args.users = max(args.users, args.followers + 10)

    with seeded_app(args, JOBS_BACKEND="memory", EMAIL_VERIFICATION=False, WTF_CSRF_ENABLED=False,
                    SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False) as app:
        pm = register(email="pm@bench.example", username="bench_pm", password=PASSWORD, role="pm", verified=True)
        member = register(email="member@bench.example", username="bench_member", password=PASSWORD, verified=True)
        quiet, busy = db.session.scalars(select(Idea.id).order_by(Idea.id).limit(2)).all()
        db.session.execute(update(Idea).where(Idea.id.in_([quiet, busy])).values(
            status_id=select(Idea.status_id).where(Idea.id == quiet).scalar_subquery()))
        db.session.execute(Subscription.__table__.delete().where(Subscription.idea_id.in_([quiet, busy])))
        started = time.perf_counter()
        followers = follow_all(busy, args.followers)
        print(f"{followers} followers of idea {busy} in {time.perf_counter() - started:.1f}s")
        db.session.execute(insert(Subscription).values(user_id=member.id, idea_id=busy, created_at=utcnow()))
        db.session.commit()
        analyze()

        print(f"status change, 0 followers: {median_ms(statuses_back_and_forth(quiet, pm.id), args.repeats):8.1f} ms")
        timing = median_ms(statuses_back_and_forth(busy, pm.id), args.repeats)
        print(f"status change, {followers} followers: {timing:8.1f} ms")
        written = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.idea_id == busy))
        mail = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        print(f"  ({written} notifications and {mail} outbox messages written in all)")

        visitor, signed_in = app.test_client(), app.test_client()
        assert signed_in.post("/auth/login", data={"email": member.email, "password": PASSWORD}).status_code == 302
        unread = db.session.scalar(select(func.count()).select_from(Notification)
                                   .where(Notification.user_id == member.id, Notification.read_at.is_(None)))
        ideas = db.session.scalars(select(Idea.id).order_by(Idea.id.desc()).limit(args.repeats + 1)).all()
        votes = iter(ideas * 2)

        def vote():
            assert signed_in.post(f"/ideas/{next(votes)}/vote", data={"value": "1"}).status_code == 302

        print(f"vote (HTTP, new vote, follows): {median_ms(vote, args.repeats):8.1f} ms")
        print(f"/ideas, visitor:                {median_ms(lambda: visitor.get('/ideas'), args.repeats):8.1f} ms")
        assert "data-unread>" in signed_in.get("/ideas").text
        print(f"/ideas, member ({unread} unread):  {median_ms(lambda: signed_in.get('/ideas'), args.repeats):8.1f} ms")


if __name__ == "__main__":
    main()
