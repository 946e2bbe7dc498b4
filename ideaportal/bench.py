"""Synthetic data for benchmarks (`flask --app ideaportal bench seed`): bulk inserts, exact counters."""
import random
import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from . import rules
from .extensions import db
from .models import Category, Idea, Status, User, Vote, utcnow
from .security import hash_password

BATCH = 5_000


def seed(*, ideas: int, users: int, votes_per_idea: int, seed: int = 1) -> str:
    """Add `users` users and `ideas` ideas, each with up to `votes_per_idea` votes."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = utcnow()
    run = f"{seed}x{int(time.time())}"
    category_ids = _bench_categories()
    status_ids = list(db.session.scalars(select(Status.id)))
    password_hash = hash_password(f"bench-{run}-password")
    user_rows = [
        {"email": f"bench{index}-{run}@example.com", "username": f"b{index}-{run}"[:30],
         "password_hash": password_hash, "role": "member", "is_active": True, "created_at": now,
         "email_verified_at": now}
        for index in range(users)
    ]
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    db.session.execute(insert(User), user_rows)
    user_ids = list(db.session.scalars(select(User.id).where(User.id >= first_user)))
    next_idea = (db.session.scalar(select(func.max(Idea.id))) or 0) + 1
    for start in range(0, ideas, BATCH):
        idea_rows, vote_rows = [], []
        for offset in range(min(BATCH, ideas - start)):
            idea_id = next_idea + start + offset
            created = now - timedelta(seconds=rng.uniform(0, 3 * 365 * 86_400))
            voters = rng.sample(user_ids, min(len(user_ids), rng.randint(0, votes_per_idea)))
            values = [1 if rng.random() < 0.75 else -1 for _ in voters]
            up, down = values.count(1), values.count(-1)
            idea_rows.append({
                "id": idea_id, "title": f"Benchmark idea {idea_id}", "body": "Synthetic body text.",
                "body_html": "<p>Synthetic body text.</p>", "author_id": rng.choice(user_ids),
                "category_id": rng.choice(category_ids), "status_id": rng.choice(status_ids),
                "upvotes": up, "downvotes": down, "score": up - down,
                "comment_count": 0, "hot_rank": rules.hot_rank(up - down, created),
                "created_at": created, "updated_at": created, "last_activity_at": created,
                "is_hidden": False,
            })
            vote_rows.extend(
                {"user_id": voter, "idea_id": idea_id, "value": value, "created_at": created}
                for voter, value in zip(voters, values)
            )
        db.session.execute(insert(Idea), idea_rows)
        if vote_rows:
            db.session.execute(insert(Vote), vote_rows)
        db.session.commit()
    _advance_postgresql_sequence()
    return f"Seeded {users} users and {ideas} ideas in {time.perf_counter() - started:.1f} s."


def _bench_categories() -> list[int]:
    ids = list(db.session.scalars(select(Category.id)))
    if not ids:
        for position, name in enumerate(["General", "Product", "Service"]):
            db.session.add(Category(slug=name.lower(), name=name, description="", position=position))
        db.session.flush()
        ids = list(db.session.scalars(select(Category.id)))
    return ids


def _advance_postgresql_sequence() -> None:
    """Explicit ids leave PostgreSQL's sequence behind; move it past the highest id."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            select(func.setval(func.pg_get_serial_sequence("idea", "id"), func.max(Idea.id)))
        )
        db.session.commit()
