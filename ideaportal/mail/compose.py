"""Write an outbox message as an email: plain text and HTML from templates, with the headers mail clients need."""
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for

from ..models import OutboxMessage, User, utcnow
from ..notifications import queries
from ..rules import slugify
from .tokens import ALL, unsubscribe_token

# Long headers stay on one line (up to RFC 5322's 998): folding would encode the unsubscribe URL
# as RFC 2047 words, which mail clients do not decode in List-Unsubscribe.
HEADERS_UNFOLDED = policy.SMTP.clone(max_line_length=998)


def compose(message: OutboxMessage, user: User) -> EmailMessage | None:
    """The email for `message`, or None when nothing in it is still visible (hidden, deleted) to tell of."""
    base_url = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base_url):  # url_for(..., _external=True) gives BASE_URL links
        if message.kind == "digest":
            items = queries.items(message.digest_of or [])
            if not items:
                return None
            kind, template = ALL, "mail/digest"
            subject = f"{len(items)} update{'s' if len(items) != 1 else ''} on ideas you follow"
        else:
            items = queries.items([message.notification_id])
            if not items:
                return None
            kind, template, subject = items[0].kind, "mail/notification", items[0].headline
        unsubscribe = url_for("notifications.unsubscribe", token=unsubscribe_token(user.id, kind), _external=True)
        context = {
            "user": user, "items": items, "unsubscribe_url": unsubscribe, "kind": kind,
            "settings_url": url_for("notifications.settings", _external=True),
            "site_name": current_app.config["SITE_NAME"], "item_url": _item_url,
        }
        email = EmailMessage(policy=HEADERS_UNFOLDED)
        email["Subject"] = subject.rstrip(".")
        email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
        email["To"] = user.email  # only the member's own address, never anyone else's
        email["Date"] = format_datetime(utcnow())
        email["Message-ID"] = f"<outbox-{message.id}.{int(message.created_at.timestamp())}@{_host(base_url)}>"
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(render_template(f"{template}.txt", **context))
        email.add_alternative(render_template(f"{template}.html", **context), subtype="html")
    return email


def _item_url(item: queries.Item) -> str:
    return url_for("ideas.detail", idea_id=item.idea_id, slug=slugify(item.idea_title), _external=True) + item.anchor


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"
