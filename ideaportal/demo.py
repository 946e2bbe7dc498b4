"""Demo data: a small living portal for a first look (`flask --app ideaportal demo load`)."""
import random
from datetime import timedelta

from sqlalchemy import func, insert, literal, select, update

from . import rules
from .comments.services import add_comment
from .extensions import db
from .follows.services import follow
from .ideas.queries import site_totals
from .ideas.services import cast_vote, recount_all, submit_idea
from .merges.services import merge_idea
from .models import (
    Category,
    Comment,
    Idea,
    Status,
    StatusChange,
    Subscription,
    User,
    UTCDateTime,
    Vote,
    utcnow,
)
from .moderation.services import flag_comment, flag_idea
from .security import hash_password
from .statuses import insert_status_change
from .text import idea_body, render_markdown
from .triage.services import add_note, assign_owner, change_status

DEMO_PASSWORD = "demo-portal-passphrase"

CATEGORIES = [
    ("mobile-app", "Mobile app", "The iOS and Android apps."),
    ("desktop-app", "Desktop app", "Windows, macOS and Linux."),
    ("integrations", "Integrations", "Connections to the tools you already use."),
    ("accessibility", "Accessibility", "Making the product work for everyone."),
    ("pricing", "Pricing & plans", "How we charge, and what each plan includes."),
    ("support", "Support & community", "Help, documentation and the forum."),
]

USERS = [
    ("admin@example.com", "ada_admin", "admin"),
    ("pm@example.com", "priya_pm", "pm"),
    ("sam@example.com", "sam", "member"), ("lee@example.com", "lee", "member"),
    ("noor@example.com", "noor", "member"), ("jonas@example.com", "jonas", "member"),
    ("maria@example.com", "maria", "member"), ("kofi@example.com", "kofi", "member"),
    ("yuki@example.com", "yuki", "member"), ("olga@example.com", "olga", "member"),
    ("ravi@example.com", "ravi", "member"), ("ines@example.com", "ines", "member"),
] + [
    (f"{name}@example.net", name, "member")
    for name in (
        "amara", "bruno", "chen", "dario", "elif", "fatima", "goran", "hana", "ivan", "julia", "kenji",
        "lucia", "mateo", "nadia", "oscar", "pia", "quinn", "rosa", "sven", "tariq", "uma", "viktor",
        "wen", "ximena", "yosef", "zara", "arjun", "bea",
    )
]

IDEAS = {
    "mobile-app": [
        "Offline mode for the mobile app", "Dark theme that follows the system setting",
        "Home screen widget showing today's tasks", "Share sheet support for saving links",
        "Face ID / fingerprint unlock", "Let me reorder the bottom tabs", "Bigger tap targets in lists",
        "Quick capture from the lock screen", "Sync over cellular only when I allow it",
        "Pinch to zoom on attached images",
    ],
    "desktop-app": [
        "Keyboard shortcuts for every menu action", "Native Apple Silicon build",
        "Multiple windows side by side", "A command palette like code editors have",
        "Export to PDF with page numbers", "Start minimised to the tray",
        "Portable build that runs from a USB stick", "Spell check in more languages",
        "Split view to compare two documents", "Remember window size and position",
    ],
    "integrations": [
        "Two-way calendar sync", "Webhooks when an item changes", "Zapier triggers and actions",
        "Import from CSV with column mapping", "Single sign-on with SAML", "A public REST API with tokens",
        "Post updates to a chat channel", "Email in: forward a message to create an item",
        "Sync contacts with the address book", "GitHub issue links that show status",
    ],
    "accessibility": [
        "Full screen reader support on every page", "High contrast theme",
        "Respect the reduced motion setting", "Resizable text without breaking layouts",
        "Captions on all tutorial videos", "Visible focus outline everywhere",
        "Dyslexia-friendly font option", "Keyboard-only navigation of the board view",
        "Colour-blind safe chart palette", "Plain-language mode for settings",
    ],
    "pricing": [
        "A yearly plan with a discount", "Student and teacher discount", "Free tier for small non-profits",
        "Pay per seat only for active users", "Family plan for up to five people",
        "Let me pause my subscription", "Show prices in my local currency",
        "Lifetime licence option for the desktop app", "Clear invoices with VAT numbers",
        "Trial without a credit card",
    ],
    "support": [
        "Searchable help centre with screenshots", "Live chat during European hours",
        "A public status page", "Changelog inside the app", "Video walkthroughs for new users",
        "Community forum with staff answers marked", "Templates gallery shared by users",
        "Report a bug from inside the app", "Office hours with the product team",
        "Translate the docs into Spanish and German",
    ],
}

BODIES = (
    "**{title}** would make my day-to-day work easier.\n\n"
    "Right now I work around it by hand, which takes time and is easy to get wrong. "
    "Many people I work with ask for the same thing.\n\n"
    "- It should be easy to find\n- It should work the same on every device\n\n"
    "Happy to test an early version!",
    "Our team of twelve hits this every week. {title} would remove a step we all dread, "
    "and it would make the product *much* easier to recommend.",
    "I switched from another tool last year and this is the one thing I miss.\n\n"
    "1. {title}\n2. A setting to turn it off for people who don't want it\n\n"
    "Thanks for reading!",
)
COMMENTS = [
    "Yes please, this would save me a lot of time.", "Same here. I'd use this every day.",
    "Could this also work for shared workspaces?", "Not sure about this one: it might clutter the interface.",
    "We've been asking for this for a while. Any news?", "+1, and it should be on by default.",
    "A workaround for now: export, edit, and import again. Not great, though.",
    "This would make the product much easier to recommend to my team.",
]
RESPONSES = {
    "under_review": "Thanks for this! We're looking at how many people it affects and will update here.",
    "planned": "Good news: this is on our plan for next quarter. Follow the idea to hear when it ships.",
    "in_progress": "Our team has started on this. An early version will go to beta testers first.",
    "implemented": "This shipped in the latest release. Thank you for the idea and all the votes!",
    "partially_implemented": "The first part of this shipped; the rest needs more design work.",
    "already_offered": "You can already do this: open Settings, then Preferences. We've made it easier to find.",
    "not_planned": "We've decided not to build this: it conflicts with how syncing works. Thanks for explaining your need.",
}
STATUS_WEIGHTS = {
    "new": 26, "under_review": 9, "planned": 7, "in_progress": 5, "implemented": 6,
    "partially_implemented": 2, "already_offered": 2, "not_planned": 3,
}


def is_empty() -> bool:
    return not db.session.scalar(select(func.count(Idea.id)))


def load(seed: int = 7) -> str:
    """Add the demo portal to the database; skips users and categories that already exist."""
    rng = random.Random(seed)
    now = utcnow()
    statuses = {status.slug: status.id for status in db.session.scalars(select(Status))}
    categories = _categories()
    users = _users()
    members = [user_id for user_id, role in users.values() if role == "member"]
    pm_id = users["priya_pm"][0]
    status_pool = [slug for slug, weight in STATUS_WEIGHTS.items() for _ in range(weight)]
    for slug, titles in IDEAS.items():
        for title in titles:
            created = now - timedelta(days=rng.uniform(1, 120), minutes=rng.uniform(0, 600))
            fresh = now - created < timedelta(days=14)  # young ideas are still waiting for an answer
            status = rng.choice(["new", "new", "under_review"] if fresh else status_pool)
            author = rng.choice(members)
            body = rng.choice(BODIES).format(title=title)
            idea = Idea(
                title=title, **idea_body(body),
                author_id=author, category_id=categories[slug], status_id=statuses[status],
                hot_rank=rules.hot_rank(0, created), created_at=created, updated_at=created,
                last_activity_at=created,
            )
            db.session.add(idea)
            db.session.flush()
            _votes(rng, idea.id, author, members, created, now)
            _comments(rng, idea.id, members, created, now)
            if status != "new":
                changed = created + (now - created) * rng.uniform(0.2, 0.8)
                _answer(idea.id, statuses["new"], statuses[status], pm_id, status, changed)
    _activity_dates()
    db.session.commit()
    recount_all()
    _team_work(rng, users, members, pm_id)
    _campaigns(rng, members, pm_id, categories, statuses)
    totals = site_totals()  # the home page's own count: the Storm Sessions' ideas too, a merged duplicate not
    in_sessions = len(OPEN_SESSION["ideas"]) + len(PAST_SESSION["ideas"])
    return (
        f"Loaded {totals.ideas} ideas ({in_sessions} of them in Storm Sessions) "
        f"in {len(categories)} categories by {len(users)} users, with {totals.votes} votes cast. "
        f"Log in as pm@example.com, admin@example.com or sam@example.com "
        f"with the password {DEMO_PASSWORD!r}."
    )


def _team_work(rng, users, members, pm_id) -> None:
    """What a product team leaves behind: followers, owners, notes, a merged duplicate, open flags."""
    ideas = db.session.execute(select(Idea.id, Idea.title, Idea.author_id, Status.kind).join(Status)).all()
    for idea in ideas:
        follow(idea_id=idea.id, user_id=idea.author_id)
    _participants_follow()
    for idea in ideas:
        if idea.kind in ("active", "completed"):
            assign_owner(idea_id=idea.id, actor_id=pm_id, owner_id=pm_id)
    by_title = {idea.title: idea.id for idea in ideas}
    add_note(idea_id=by_title["Offline mode for the mobile app"], actor_id=pm_id,
             body="Sync team estimate: two sprints. Needs conflict handling first.")
    add_note(idea_id=by_title["Single sign-on with SAML"], actor_id=pm_id,
             body="Three enterprise customers asked in sales calls this quarter.")

    _news_for_sam(users, pm_id, by_title)
    duplicate = _submit_duplicate(rng, members)
    merge_idea(source_id=duplicate, target_id=by_title["Dark theme that follows the system setting"], actor_id=pm_id,
               note="Thanks! This one is already being discussed, so we joined the two.")

    flag_idea(idea_id=by_title["Lifetime licence option for the desktop app"], reporter_id=members[0],
              reason="off_topic", note="This is about pricing, not the desktop app.")
    comments = db.session.execute(select(Comment.id, Comment.author_id).order_by(Comment.id).limit(3)).all()
    for comment in comments:
        reporter = next(member for member in members if member != comment.author_id)
        flag_comment(comment_id=comment.id, reporter_id=reporter, reason=rng.choice(["spam", "other"]))


def _participants_follow() -> None:
    """The history's voters and commenters follow what they took part in, as the services would have made them."""
    now = utcnow()
    taking_part = select(Vote.user_id, Vote.idea_id).union(select(Comment.author_id, Comment.idea_id)).subquery()
    already = select(Subscription.id).where(Subscription.user_id == taking_part.c.user_id,
                                            Subscription.idea_id == taking_part.c.idea_id).exists()
    db.session.execute(insert(Subscription).from_select(
        ["user_id", "idea_id", "created_at"],
        select(taking_part.c.user_id, taking_part.c.idea_id, literal(now, UTCDateTime())).where(~already),
    ))
    db.session.commit()


def _news_for_sam(users, pm_id, by_title) -> None:
    """Something for the demo customer's bell: a public answer, an official reply and a mention, made live."""
    sam, lee = users["sam"][0], users["lee"][0]
    idea_id = by_title["Keyboard shortcuts for every menu action"]
    cast_vote(idea_id=idea_id, voter_id=sam, value=1)
    add_comment(idea_id=idea_id, author_id=lee, body="@sam you asked about this at the meetup: worth a vote!")
    add_comment(idea_id=idea_id, author_id=pm_id, official=True,
                body="Thanks, everyone. We are collecting the menu actions people use most; reply with yours.")
    current = db.session.scalar(select(Status.slug).join(Idea).where(Idea.id == idea_id))
    target = "planned" if current != "planned" else "in_progress"
    change_status(idea_id=idea_id, actor_id=pm_id, status_slug=target, response=RESPONSES[target])


def _submit_duplicate(rng, members) -> int:
    author, *voters = rng.sample(members, 6)
    idea = submit_idea(
        author_id=author, title="Dark mode please", category_id=db.session.scalar(
            select(Category.id).where(Category.slug == "mobile-app")
        ),
        body="My eyes hurt at night. A dark mode would help a lot.",
    )
    for voter in voters:
        cast_vote(idea_id=idea.id, voter_id=voter, value=1)
    return idea.id


def _activity_dates() -> None:
    """Each idea's last activity (its latest vote or comment) and first answer (its first response)."""
    latest_vote = select(func.max(Vote.created_at)).where(Vote.idea_id == Idea.id).scalar_subquery()
    latest_comment = select(func.max(Comment.created_at)).where(Comment.idea_id == Idea.id).scalar_subquery()
    first_answer = (
        select(func.min(StatusChange.created_at))
        .where(StatusChange.idea_id == Idea.id, StatusChange.response != "")
        .scalar_subquery()
    )
    db.session.execute(update(Idea).values(
        last_activity_at=func.coalesce(latest_vote, Idea.created_at), first_response_at=first_answer
    ))
    db.session.execute(update(Idea).where(latest_comment > Idea.last_activity_at).values(last_activity_at=latest_comment))


def _categories() -> dict[str, int]:
    existing = {category.slug: category.id for category in db.session.scalars(select(Category))}
    for position, (slug, name, description) in enumerate(CATEGORIES):
        if slug not in existing:
            category = Category(slug=slug, name=name, description=description, position=position)
            db.session.add(category)
            db.session.flush()
            existing[slug] = category.id
    return existing


def _users() -> dict[str, tuple[int, str]]:
    password_hash = hash_password(DEMO_PASSWORD)
    found = {}
    for email, username, role in USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, username=username, password_hash=password_hash, role=role,
                        email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
        found[username] = (user.id, user.role)
    return found


def _votes(rng, idea_id, author_id, members, created, now) -> None:
    others = [member for member in members if member != author_id]
    popularity = min(rng.paretovariate(1.2) / 8, 1.0)  # a few ideas draw most of the votes
    voters = rng.sample(others, round(popularity * len(others)))
    rows = [{"user_id": author_id, "idea_id": idea_id, "value": 1, "created_at": created}]
    for voter in voters:
        rows.append({
            "user_id": voter, "idea_id": idea_id, "value": 1 if rng.random() < 0.8 else -1,
            "created_at": created + (now - created) * rng.random(),
        })
    db.session.execute(insert(Vote), rows)


def _comments(rng, idea_id, members, created, now) -> None:
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
        body = rng.choice(COMMENTS)
        db.session.add(Comment(
            idea_id=idea_id, author_id=rng.choice(members), body=body, body_html=render_markdown(body),
            created_at=created + (now - created) * rng.random(),
        ))


def _answer(idea_id, from_id, to_id, pm_id, status, changed) -> None:
    """Past history, which nobody is told about now."""
    insert_status_change(idea_id=idea_id, from_status_id=from_id, to_status_id=to_id, actor_id=pm_id,
                         response=RESPONSES[status], now=changed)


# Storm Sessions: one open now with a vote budget, one closed with its results.
OPEN_SESSION = {
    "slug": "first-week", "title": "Your first week with us",
    "question": "What would make your first week with the product easier?",
    "description": "We're redesigning how new accounts get started. Tell us what tripped you up in your first "
                   "week, or what would have helped.\n\nEach member has **5 votes** in this session, so spend "
                   "them on the ideas that matter most to you.",
    "ideas": [
        ("support", "Interactive tour on first login"), ("desktop-app", "A sample project to play with"),
        ("integrations", "Import my data from a spreadsheet on day one"),
        ("support", "A checklist of the first five things to set up"),
        ("mobile-app", "Invite teammates straight from the welcome screen"),
        ("desktop-app", "Keyboard shortcut cheat sheet in the help menu"),
    ],
}
PAST_SESSION = {
    "slug": "accessibility-month", "title": "Accessibility month",
    "question": "Where does the product get in your way?",
    "description": "A month to collect the barriers you meet with a screen reader, a keyboard, a switch or "
                   "a zoomed screen. The team answered every idea when it closed.",
    "ideas": [
        ("Screen reader labels on every chart", "implemented"),
        ("Keyboard shortcuts that don't clash with screen readers", "in_progress"),
        ("Larger click targets on the settings page", "planned"),
        ("One switch to turn off every animation", "partially_implemented"),
        ("Voice control for the whole app", "not_planned"),
    ],
}


def _campaigns(rng, members, pm_id, categories, statuses) -> None:
    """An open session (5 votes each) filled through the services, and a past one with its answers."""
    from .campaigns.services import create_campaign
    from .errors import Conflict

    now = utcnow()
    open_session = create_campaign(
        actor_id=pm_id, title=OPEN_SESSION["title"], slug=OPEN_SESSION["slug"], question=OPEN_SESSION["question"],
        description=OPEN_SESSION["description"], category_id=None, starts_at=now - timedelta(days=9),
        ends_at=now + timedelta(days=12), voting_after_close=False, vote_budget=5,
    )
    ideas = []
    for (category, title), author in zip(OPEN_SESSION["ideas"], rng.sample(members, len(OPEN_SESSION["ideas"]))):
        body = rng.choice(BODIES).format(title=title)
        idea = submit_idea(author_id=author, title=title, body=body, category_id=categories[category],
                           campaign_id=open_session.id)
        created = now - timedelta(days=rng.uniform(1, 8))
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(
            created_at=created, updated_at=created, last_activity_at=created, hot_rank=rules.hot_rank(1, created)))
        db.session.commit()
        ideas.append(idea.id)
    for voter in rng.sample(members, 24):
        for idea_id in rng.sample(ideas, rng.randint(1, 4)):
            try:
                cast_vote(idea_id=idea_id, voter_id=voter, value=1 if rng.random() < 0.85 else -1)
            except Conflict:  # out of votes: the budget at work
                pass

    ends = now - timedelta(days=70)
    past = create_campaign(
        actor_id=pm_id, title=PAST_SESSION["title"], slug=PAST_SESSION["slug"], question=PAST_SESSION["question"],
        description=PAST_SESSION["description"], category_id=categories["accessibility"],
        starts_at=ends - timedelta(days=30), ends_at=ends, voting_after_close=False, vote_budget=None,
    )
    past_ideas = []
    for title, status in PAST_SESSION["ideas"]:  # rows, as a closed session takes no new ideas
        created = ends - timedelta(days=rng.uniform(2, 28))
        author = rng.choice(members)
        body = rng.choice(BODIES).format(title=title)
        answered = ends + timedelta(days=rng.uniform(1, 5))
        idea = Idea(
            title=title, **idea_body(body), author_id=author, campaign_id=past.id,
            category_id=categories["accessibility"], status_id=statuses[status],
            hot_rank=rules.hot_rank(0, created), created_at=created, updated_at=created,
            last_activity_at=answered, first_response_at=answered,
        )
        db.session.add(idea)
        db.session.flush()
        _votes(rng, idea.id, author, members, created, ends)
        _answer(idea.id, statuses["new"], statuses[status], pm_id, status, answered)
        past_ideas.append((idea.id, author))
    db.session.commit()
    recount_all()
    for idea_id, author in past_ideas:
        follow(idea_id=idea_id, user_id=author)

