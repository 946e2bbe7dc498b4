"""The account page and its actions: any logged-in member, on their own account only (another member's
session id is simply not found); links from emails (confirm, reset, new address) and asking for a reset:
anyone, since the signed link or the mailbox is the proof."""
from . import members, public

ROWS = [
    members("GET", "/account"),
    members("POST", "/account/password", current="wrong", password="x", confirm="x"),
    members("POST", "/account/sessions/<int:session_id>/end"),
    members("POST", "/account/sessions/end-others"),
    members("POST", "/account/email", email="new@example.com", password="wrong"),
    members("GET", "/account/export.json"),
    members("POST", "/account/delete", password="wrong"),
    public("GET", "/account/email/<token>"),
    public("POST", "/account/email/<token>"),
    public("GET", "/auth/verify/<token>"),
    public("POST", "/auth/verify/<token>"),
    members("POST", "/auth/verify/resend"),
    public("GET", "/auth/forgot"),
    public("POST", "/auth/forgot", email="nobody@example.com"),
    public("GET", "/auth/reset/<token>"),
    public("POST", "/auth/reset/<token>", password="x", confirm="x"),
]
