"""The kinds of notification, how members name them, and the email each gets unless a member chooses."""

KINDS = ("status", "merge", "answer", "comment", "mention")
LABELS = {
    "status": "An idea I follow changes status",
    "merge": "An idea I follow is merged into another",
    "answer": "The product team answers an idea I follow",
    "comment": "Someone comments on an idea I follow",
    "mention": "Someone mentions me in a comment",
}
EMAIL_CHOICES = ("immediately", "daily", "never")
EMAIL_LABELS = {"immediately": "Right away", "daily": "In a daily digest", "never": "Never"}
DEFAULT_EMAIL = {"status": "immediately", "merge": "immediately", "answer": "immediately", "comment": "daily",
                 "mention": "immediately"}
