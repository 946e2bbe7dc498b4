"""Write an outbox message as an email: plain text and HTML from templates, with the headers mail clients need."""
import hashlib
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for

from .. import tokens
from ..models import OutboxMessage, User, utcnow
from ..notifications import queries
from ..rules import slugify
from .tokens import ALL, unsubscribe_token

# Long headers stay on one line (up to RFC 5322's 998): folding would encode the unsubscribe URL
# as RFC 2047 words, which mail clients do not decode in List-Unsubscribe.
HEADERS_UNFOLDED = policy.SMTP.clone(max_line_length=998)


ACCOUNT_SUBJECTS = {
    "verify": "Confirm your email address",
    "account_exists": "You already have an account",
    "reset": "Reset your password",
    "lockout": "Logins to your account are paused",
    "email_change": "Confirm your new email address",
    "email_change_notice": "Your email address is being changed",
}


def compose(message: OutboxMessage, user: User) -> EmailMessage | None:
    """The email for `message`, or None when nothing in it is still visible (hidden, deleted) to tell of."""
    base_url = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base_url):  # url_for(..., _external=True) gives BASE_URL links
        if message.kind == "account":
            return _account_email(message, user, base_url)
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
        email = _email(message, to=user.email, subject=subject, template=template, context=context,
                       base_url=base_url)
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    return email


def _account_email(message: OutboxMessage, user: User, base_url: str) -> EmailMessage | None:
    """Verify, reset and the other messages about the account itself: links signed now, at sending."""
    template = message.template
    if template == "verify" and user.email_verified_at is not None:
        return None  # confirmed meanwhile
    if template == "email_change" and user.pending_email != message.to_address:
        return None  # asked for another address since, or finished
    link = {
        "verify": lambda: url_for("auth.verify", token=tokens.sign("verify", [user.id, user.email]), _external=True),
        "reset": lambda: url_for("auth.reset_password", token=reset_token(user), _external=True),
        "email_change": lambda: url_for("account.confirm_email", token=tokens.sign(
            "email", [user.id, message.to_address]), _external=True),
    }.get(template, lambda: None)()
    context = {
        "user": user, "link": link, "site_name": current_app.config["SITE_NAME"], "new_address": user.pending_email,
        "login_url": url_for("auth.login", _external=True),
        "reset_request_url": url_for("auth.forgot_password", _external=True),
        "account_url": url_for("account.index", _external=True),
        "reset_hours": current_app.config["RESET_LINK_SECONDS"] // 3600,
        "lockout_minutes": current_app.config["LOGIN_LOCKOUT_SECONDS"] // 60,
    }
    return _email(message, to=message.to_address or user.email, subject=ACCOUNT_SUBJECTS[template],
                  template=f"mail/account/{template}", context=context, base_url=base_url)


def reset_token(user: User) -> str:
    """Names the password it replaces, so it works once: after the reset the hash differs."""
    return tokens.sign("reset", [user.id, password_fingerprint(user.password_hash)])


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _email(message: OutboxMessage, *, to: str, subject: str, template: str, context: dict,
           base_url: str) -> EmailMessage:
    email = EmailMessage(policy=HEADERS_UNFOLDED)
    email["Subject"] = " ".join(subject.split()).rstrip(".")  # one line, whatever a title holds
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = to  # only the member's own address, never anyone else's
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = f"<outbox-{message.id}.{int(message.created_at.timestamp())}@{_host(base_url)}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(render_template(f"{template}.txt", **context))
    email.add_alternative(render_template(f"{template}.html", **context), subtype="html")
    return email


def _item_url(item: queries.Item) -> str:
    return url_for("ideas.detail", idea_id=item.idea_id, slug=slugify(item.idea_title), _external=True) + item.anchor


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"
