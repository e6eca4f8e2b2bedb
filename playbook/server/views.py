"""The few pages the server renders itself: sign-in, "My reviews", and what it adds to the site's.

"My reviews" is put into the built site's own page shell (its home page with the
article replaced), so it looks like the rest of the Material site, light and dark.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from ..model import Playbook
from ..site.pages import checklist_path
from ..status import Summary
from .users import User

LOGIN_STYLE = """
:root { color-scheme: light dark; --accent: #4051b5; }
body { font-family: system-ui, sans-serif; margin: 0; min-height: 100vh; display: grid;
  place-items: center; background: Canvas; color: CanvasText; }
main { width: min(22rem, 100% - 2rem); }
h1 { font-size: 1.4rem; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { box-sizing: border-box; width: 100%; padding: .6rem; font-size: 1rem; margin-top: .3rem;
  border: 1px solid GrayText; border-radius: .3rem; background: Field; color: FieldText; }
input:focus, button:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
button { margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; border: 0;
  border-radius: .3rem; background: var(--accent); color: white; cursor: pointer; }
[role=alert] { margin-top: 1rem; padding: .6rem; border-left: 4px solid #c62828; }
"""


def login_page(title: str, csrf: str, next_path: str, message: str = "", user_id: str = "") -> str:
    alert = f'<p role="alert" id="login-error">{escape(message)}</p>' if message else ""
    described = ' aria-describedby="login-error"' if message else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · {escape(title)}</title><style>{LOGIN_STYLE}</style></head>
<body><main>
<h1>Sign in to {escape(title)}</h1>
<form method="post" action="/login"{described}>
<input type="hidden" name="csrf" value="{escape(csrf)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<label for="user">User id</label>
<input id="user" name="user" autocomplete="username" required autofocus value="{escape(user_id)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
{alert}
</form>
</main></body></html>
"""


def reopen(path: str) -> str:
    """A page that opens `path` again from this site, so that its session cookie goes along."""
    target = escape(path)
    return (
        f'<!doctype html><meta http-equiv="refresh" content="0;url={target}">'
        f'<title>Opening…</title><p><a href="{target}">Continue</a></p>'
    )


ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">).*?(</article>)', re.S)
TITLE = re.compile(r"<title>.*?</title>", re.S)


def in_site_shell(shell: str, title: str, body: str) -> str:
    """`body` as the article of a page of the built site (its header, nav and styles)."""
    page = ARTICLE.sub(lambda m: m[1] + body + m[2], shell, count=1)
    return TITLE.sub(f"<title>{escape(title)}</title>", page, count=1)


def my_reviews(playbook: Playbook, user: User, summaries: list[Summary], now: datetime) -> str:
    """What is open and next for the user's teams, overdue first, each linked to its page."""
    rows = []
    for summary in summaries:
        page = "/" + checklist_path(summary.checklist).removesuffix(".md") + "/"
        if summary.open:
            latest = summary.open[-1]
            state = "overdue" if latest.overdue else "due"
            due = latest.occurrence.due
        elif summary.next_due is not None:
            state, due = "upcoming", summary.next_due.due
        else:
            continue
        rows.append(
            f'<tr class="playbook-{state}"><td><a href="{escape(page)}">'
            f"{escape(summary.checklist.title)}</a></td><td>{escape(summary.unit.name)}</td>"
            f"<td><strong>{state}</strong></td><td>{due:%a %d %b %Y, %H:%M}</td></tr>"
        )
    teams = (
        "all teams"
        if user.admin
        else ", ".join(playbook.teams[t].name for t in user.teams if t in playbook.teams)
    )
    table = (
        "<table><thead><tr><th>Checklist</th><th>For</th><th>State</th><th>Due</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>Nothing is due for your teams.</p>"
    )
    return (
        f"<h1>My reviews</h1><p>{escape(user.name)}, {escape(teams)} · as of "
        f"{now:%a %d %b %Y, %H:%M %Z}</p>{table}"
    )


def session_bar(user: User, csrf: str) -> str:
    """Who is signed in, and the way out, on every page of the site."""
    return (
        '<form class="playbook-session" method="post" action="/logout" style="position:fixed;'
        "right:.8rem;bottom:.8rem;z-index:10;padding:.3rem .6rem;border-radius:.3rem;"
        'background:var(--md-default-bg-color,#fff);box-shadow:0 1px 4px #0004;font-size:.7rem">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'Signed in as <strong class="playbook-user">{escape(user.name)}</strong> · '
        '<a href="/my/">My reviews</a> · <button type="submit">Sign out</button></form>'
    )


def personalise(html: str, user: User, csrf: str, units: tuple[str, ...] | None = None) -> str:
    """A built page as this user gets it: the API token to write with, their name, sign-out,
    and (unless they are an admin) the teams and people they may record for."""
    meta = (
        f'<meta name="playbook-api" content="{escape(csrf)}">'
        f'<meta name="playbook-user" content="{escape(user.signature)}">'
    )
    if units is not None:
        meta += f'<meta name="playbook-units" content="{escape(" ".join(units))}">'
    html = html.replace("</head>", meta + "</head>", 1)
    return html.replace("</body>", session_bar(user, csrf) + "</body>", 1)


def recordable_units(playbook: Playbook, user: User) -> tuple[str, ...] | None:
    """The unit ids `user` records for (their teams and the people in them); None for all."""
    if user.admin:
        return None
    teams = [playbook.teams[t] for t in user.teams if t in playbook.teams]
    return tuple(t.id for t in teams) + tuple(p.id for t in teams for p in t.members)
