"""Words that mean the same in requests for a software product, applied to a question at search time.

Each line of GROUPS is one meaning, its phrases separated by "|". When a question contains one
phrase of a line (its words in order, stems compared, so "exporting" is "export"), the other
phrases' words are looked for too, at TABLE_WEIGHT of the question's own words: an idea that says
"dark theme" is found for "night mode", but an idea that says "night mode" still ranks first.

The table is small on purpose and written by hand for this domain (apps, accounts, data, teams,
billing); it is not a thesaurus. A phrase belongs here only when product people would merge two
ideas that differ by it. Synonyms that a portal's own merges teach come from `learned.py`.
No Flask, no database.
"""
from collections.abc import Iterable
from functools import lru_cache

from . import terms

TABLE_WEIGHT = 0.7

GROUPS = """
dark mode | dark theme | night mode | dark colours | dark colors | dark appearance
light mode | light theme | bright theme
offline | without internet | no internet | no connection | without a connection | no signal | no network
export | download my data | save as a file
import | upload | bring in
spreadsheet | csv | excel | xlsx
pdf | printable document
print | printing | printer
two factor | 2fa | mfa | multi factor | second factor | one time code | authenticator app
single sign on | sso | saml | okta | azure ad
log in | login | sign in | signin
log out | logout | sign out
sign up | signup | register | create an account
password | passphrase
face id | touch id | fingerprint | biometric | biometrics
keyboard shortcuts | hotkey | hotkeys | shortcut keys | key bindings | keybindings | global shortcut
keyboard navigation | tabbing | tab key | focus ring | focus outline | focus indicator
quick add | quick entry | capture | jot down
anywhere | system wide | global
tablet | ipad
phone | mobile | smartphone | cell phone
ios | iphone | ipad
mac | macos | macbook | apple silicon | m1 | m2
windows | pc
linux | ubuntu
desktop app | desktop client | native app
web app | browser | website
app | application
notification | alert | push message
mute | snooze | silence | stop notifications | unsubscribe
release notes | changelog | what's new | what is new | new features
reminder | nudge
email | e mail | mail | inbox
calendar | ical | ics
sync | synchronise | synchronize | syncing
due date | deadline
recurring | repeating | repeat | every week | every day | every month
subtask | sub task | checklist inside a task | nested task | smaller steps | break down
task | to do | todo | item | card
tag | label
share | invite | collaborate
comment | reply | discussion
attachment | attach a file | file upload
search | find | look up
filter | narrow down
sort | order by
undo | revert | take back
delete | remove | erase
archive | hide old
duplicate | copy | clone
template | preset | blueprint | reuse a setup | copy the setup
drag and drop | drag to reorder | reorder
font size | bigger text | larger text | text size | zoom
screen reader | voiceover | talkback | nvda | jaws
colour blind | color blind | colour blindness | color blindness
high contrast | contrast | too faint | hard to read | low contrast
accessibility | a11y
translation | translate | localisation | localization | language
price | pricing | cost | subscription fee
discount | cheaper | coupon
student | education | school | university
nonprofit | non profit | charity
refund | money back
invoice | receipt | billing
annual plan | yearly plan | yearly billing | annual billing | pay yearly
free plan | free tier
trial | free trial
api | developer access | rest api
webhook | callback url
integration | connect with | plug in | plugin | add on | addon
report | dashboard | chart | analytics | statistics | stats
time tracking | track time | timer | timesheet
backup | back up | restore
encryption | encrypted | end to end
privacy | gdpr | personal data
audit log | activity log | history | change log | who changed
permission | access rights | roles | read only
support | help desk | customer service
live chat | chat support
phone support | call us | hotline
speed | performance | faster | slow | sluggish | lag | laggy
battery | power usage | drains
crash | crashes | freezes | hangs
bug | glitch | broken
swipe | flick | gesture | gestures
remember | restore | reopen | forgets | last position
pause | suspend | put on hold | freeze my account
support hours | business hours | time zone | timezone | opening hours
widget | home screen
voice | speech | dictation | siri | alexa
""".strip()


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """{first stem: [(a phrase's stems, its group's number), ...]}."""
    phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for number, line in enumerate(GROUPS.splitlines()):
        for phrase in line.split("|"):
            stems = tuple(terms.stem(word) for word in terms.words(phrase))
            if stems:
                phrases.setdefault(stems[0], []).append((stems, number))
    return phrases


@lru_cache(maxsize=1)
def _groups() -> dict[int, tuple[str, ...]]:
    """Each group's informative words (not stop words), in their written form."""
    return {
        number: tuple(dict.fromkeys(
            word for phrase in line.split("|") for word in terms.words(phrase) if word not in terms.STOPWORDS
        ))
        for number, line in enumerate(GROUPS.splitlines())
    }


def expand(words: Iterable[str]) -> list[str]:
    """The words of every group a phrase of these words belongs to, minus the words themselves."""
    stems = [terms.stem(word) for word in words]
    found = {
        number
        for start, first in enumerate(stems)
        for phrase, number in _phrases().get(first, ())
        if tuple(stems[start:start + len(phrase)]) == phrase
    }
    have = set(stems)
    return list(dict.fromkeys(
        word for number in sorted(found) for word in _groups()[number] if terms.stem(word) not in have
    ))
