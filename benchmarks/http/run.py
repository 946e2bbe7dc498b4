"""`make bench`: the app's pages under gunicorn and wrk, each next to the baseline, as a markdown table.

    .venv/bin/python benchmarks/http/run.py --db sqlite --size 10000          # what `make bench` runs
    .venv/bin/python benchmarks/http/run.py --db postgresql --size 10000 --duration 15s
    REDIS_URL=redis://127.0.0.1:6379/0 make bench      # the servers take the environment: cache in Redis

Seeds a database with `bench seed` (or reuses the one seeded before for that size: instance/bench-<size>.sqlite3,
or the PostgreSQL database ideaportal_bench_<size>), serves the app (wsgi:app) and the baseline
(baseline.py: the 20 newest ideas with raw driver calls and one template) under the same gunicorn settings
(gunicorn.conf.py), signs bench members and a product manager in over HTTP, and drives each page with wrk,
the baseline's run right before each page's run so that their ratio compares like with like. Vote POSTs come
from many members at once; after them every idea's score must equal the sum of its votes. Writes
benchmarks/results/<date>-<db>-<size>.md and stops every process it started.
"""
import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
sys.path.insert(0, str(PROJECT))

from ideaportal.bench import COMMON_WORD, PASSWORD, RARE_WORD  # noqa: E402
from ideaportal.rules import slugify  # noqa: E402

BIN = Path(sys.executable).parent
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
NEXT = re.compile(r'rel="next" href="([^"]+)"')
SERVER_ENV = {
    "SECRET_KEY": "bench",
    "IDEAPORTAL_RATELIMIT_ENABLED": "false",  # wrk sends thousands of requests from one address
    "IDEAPORTAL_SESSION_COOKIE_SECURE": "false",  # plain http on loopback, as behind a TLS proxy
    "IDEAPORTAL_REMEMBER_COOKIE_SECURE": "false",
}


@dataclass
class Page:
    name: str
    path: str
    who: str = "visitor"  # visitor | member | pm | voters


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def main() -> None:
    args = arguments().parse_args()
    if not shutil.which(args.wrk):
        sys.exit("wrk is missing: `apt-get install -y wrk` (Debian, Ubuntu) or `brew install wrk`.")
    database_url = args.database_url or prepare_database(args)
    ensure_seeded(database_url, args.size)
    servers = []
    try:
        with tempfile.TemporaryDirectory(prefix="ideaportal-bench-") as scratch:
            app = serve("wsgi:app", database_url, scratch, PROJECT, servers)
            baseline = serve("baseline:app", database_url, scratch, HERE, servers)
            pages, visitors = plan(app, database_url, args)
            report = measure(app, baseline, pages, visitors, database_url, args)
    finally:
        for server in servers:
            stop(server)
        print(f"Stopped gunicorn {' and '.join(str(server.pid) for server in servers)}.", flush=True)
    if args.only and not args.out:
        print(report)  # a partial run does not replace the results of a whole one
        return
    out = Path(args.out or PROJECT / "benchmarks/results" / f"{datetime.now(timezone.utc):%Y-%m-%d}-{args.db}-{args.size}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(f"\nWrote {out}")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", type=int, default=10_000, help="ideas (members: a fiftieth of it, at least 50)")
    parser.add_argument("--duration", default="5s", help="each wrk run (wrk's -d)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--members", type=int, default=32, help="members signed in for the vote POSTs")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server URL; the bench database ideaportal_bench_<size> is made on it")
    parser.add_argument("--database-url", help="use this (migrated or empty) database instead, seeded if empty")
    parser.add_argument("--out", help="default: benchmarks/results/<date>-<db>-<size>.md")
    parser.add_argument("--wrk", default="wrk")
    parser.add_argument("--only", action="append", default=[], metavar="WORD",
                        help="measure only the pages whose name or path contains WORD (repeatable); "
                             "the report then goes to stdout unless --out is given")
    return parser


# --- the database -------------------------------------------------------------------------------------------

def prepare_database(args) -> str:
    """The bench database for this size, seeded once and reused afterwards."""
    if args.db == "sqlite":
        url = f"sqlite:///{PROJECT / 'instance' / f'bench-{args.size}.sqlite3'}"
        (PROJECT / "instance").mkdir(exist_ok=True)
    else:
        import psycopg

        name = f"ideaportal_bench_{args.size}"
        server = args.postgres.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(server, autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
        parts = urllib.parse.urlsplit(args.postgres)
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    return url


def ensure_seeded(database_url: str, size: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    flask = [str(BIN / "flask"), "--app", "ideaportal"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    ideas = query(database_url, "SELECT count(*) FROM idea")[0][0]
    if ideas == 0:
        print(f"Seeding {size:,} ideas (once; later runs of this size reuse them)...", flush=True)
        subprocess.run([*flask, "bench", "seed", "--ideas", str(size), "--users", str(max(50, size // 50)),
                        "--votes-per-idea", "10", "--comments-per-idea", "2"], env=env, check=True)
    elif not query(database_url, "SELECT 1 FROM \"user\" WHERE email LIKE 'benchpm-%%@example.com'"):
        sys.exit(f"{database_url} has ideas but no bench accounts: give an empty database or a bench one.")


def query(database_url: str, sql: str, parameters: tuple = ()) -> list[tuple]:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return connection.execute(sql.replace("%s", "?").replace("%%", "%"), parameters).fetchall()
        finally:
            connection.close()
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://", 1)) as connection:
        return connection.execute(sql, parameters).fetchall()


# --- the servers --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(target: str, database_url: str, scratch: str, directory: Path, servers: list) -> str:
    """gunicorn with gunicorn.conf.py serving `target` from `directory`, once it answers."""
    port = free_port()
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url, "GUNICORN_BIND": f"127.0.0.1:{port}",
           "IDEAPORTAL_INSTANCE_PATH": scratch}
    log = Path(scratch) / f"gunicorn-{port}.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(PROJECT / "gunicorn.conf.py"), "--chdir", str(directory),
             target], env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    servers.append(server)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5)  # not "/", which can take seconds at 1M ideas
            return base
        except urllib.error.HTTPError:
            return base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn ({target}) did not start:\n{log.read_text()}") from None
            time.sleep(0.2)


def stop(server: subprocess.Popen) -> None:
    """The server and its workers (its own process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- signing in and choosing the pages ----------------------------------------------------------------------

class Browser:
    """Cookies and the latest CSRF token of one client."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                page = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        if found := TOKEN.search(page):
            self.token = found.group(1)
        return status, page

    def log_in(self, email: str) -> None:
        self.get("/auth/login")
        body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": self.token}).encode()
        with self.opener.open(urllib.request.Request(self.base + "/auth/login", data=body), timeout=60) as response:
            page = response.read().decode()
        if 'action="/auth/logout"' not in page or not (found := TOKEN.search(page)):
            raise SystemExit(f"Could not sign {email} in.")
        self.token = found.group(1)  # logging in renews the token

    def cookie(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


def plan(app: str, database_url: str, args) -> tuple[list[Page], dict[str, Browser]]:
    emails = [row[0] for row in query(database_url, "SELECT email FROM \"user\" WHERE email LIKE 'bench%%-%%@example.com' "
                                      "AND role = 'member' ORDER BY id LIMIT %s", (args.members,))]
    pm_email = query(database_url, "SELECT email FROM \"user\" WHERE email LIKE 'benchpm-%%@example.com' LIMIT 1")[0][0]
    print(f"Signing in {len(emails)} members and a product manager...", flush=True)
    visitors = {"visitor": Browser(app), "member": Browser(app), "pm": Browser(app)}
    visitors["member"].log_in(emails[0])
    visitors["pm"].log_in(pm_email)
    voters = []
    for email in emails:
        voter = Browser(app)
        voter.log_in(email)
        voters.append(voter)
    visitors["voters"] = voters
    top = query(database_url, "SELECT i.id, i.title, u.username, c.slug FROM idea i JOIN \"user\" u ON u.id = i.author_id "
                              "JOIN category c ON c.id = i.category_id ORDER BY i.score DESC, i.id DESC LIMIT 1")[0]
    idea_id, title, author, category = top
    idea_path = f"/ideas/{idea_id}-{slugify(title)}"  # the idea's own address: `/ideas/<id>` alone is a redirect to it
    deep, cursor_path = 0, "/ideas?sort=hot"
    while deep < 50:  # follow the real "next" links, as a reader paging on would
        status, page = visitors["visitor"].get(cursor_path)
        found = NEXT.search(page)
        if status != 200 or not found:
            break
        cursor_path, deep = found.group(1).replace("&amp;", "&"), deep + 1
    pages = [
        Page("home `/`", "/"), Page("home `/`", "/", "member"),
        Page("`/ideas` hot", "/ideas?sort=hot"), Page("`/ideas` hot", "/ideas?sort=hot", "member"),
        Page("`/ideas` top", "/ideas?sort=top"), Page("`/ideas` new", "/ideas?sort=new"),
        Page("`/ideas` discussed", "/ideas?sort=discussed"),
        Page(f"deep cursor page ({deep} pages in)", cursor_path),
        Page(f"deep cursor page ({deep} pages in)", cursor_path, "member"),
        Page("one idea", idea_path), Page("one idea", idea_path, "member"),
        Page(f"search, rare word ({RARE_WORD})", f"/ideas?q={RARE_WORD}"),
        Page(f"search, common word ({COMMON_WORD})", f"/ideas?q={COMMON_WORD}"),
        Page("`/leaderboard`", "/leaderboard"), Page("`/roadmap`", "/roadmap"), Page("`/stats`", "/stats"),
        Page("profile", f"/users/{author}"), Page("feed `/feeds/ideas.atom`", "/feeds/ideas.atom"),
        Page("category feed", f"/feeds/categories/{category}.atom"),
        Page("triage inbox `/admin`", "/admin", "pm"),
        Page("vote POSTs `/ideas/<id>/vote`", "/", "voters"),  # vote.lua writes each request's path
    ]
    if args.only:
        pages = [page for page in pages if any(word in page.name or word in page.path for word in args.only)]
    return pages, visitors


# --- measuring ----------------------------------------------------------------------------------------------

def wrk(base: str, path: str, args, *, script: str, env: dict) -> Run:
    command = [args.wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}", "--timeout", "10s",
               "-s", str(HERE / script), base + path]
    seconds = float(re.sub(r"[^0-9.]", "", args.duration)) * (60 if args.duration.endswith("m") else 1)
    done = subprocess.run(command, env={**os.environ, "BENCH_LUA_DIR": str(HERE), **env}, capture_output=True,
                          text=True, timeout=seconds + 60)
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    return Run(result["requests"] / (result["duration_us"] / 1e6), result["p50_us"] / 1000, result["p99_us"] / 1000,
               result["status_errors"] + result["socket_errors"])


def measure(app: str, baseline: str, pages: list[Page], visitors: dict, database_url: str, args) -> str:
    rows, checks = [], []
    idea_ids = ",".join(str(row[0]) for row in query(database_url, "SELECT id FROM idea WHERE is_hidden = %s AND "
                        "merged_into_id IS NULL ORDER BY hot_rank DESC LIMIT 200", (False,)))
    for page in pages:
        if page.who == "voters":
            members = "\n".join(f"{voter.cookie()}\t{voter.token}" for voter in visitors["voters"])
            env, script = {"BENCH_MEMBERS": members, "BENCH_IDEAS": idea_ids}, "vote.lua"
        else:
            status, _ = visitors[page.who].get(page.path)
            if status != 200:
                checks.append(f"{page.name} as {page.who}: HTTP {status} before the run")
            env = {"BENCH_COOKIE": visitors[page.who].cookie() if page.who != "visitor" else ""}
            script = "get.lua"
        base_run = wrk(baseline, "/", args, script="get.lua", env={"BENCH_COOKIE": ""})
        app_run = wrk(app, page.path, args, script=script, env=env)
        settle(app)
        rows.append((page, app_run, base_run))
        print(f"{page.name:<40} {page.who:<8} {app_run.requests_per_second:8.1f} req/s  p50 {app_run.p50_ms:7.1f} ms"
              f"  p99 {app_run.p99_ms:7.1f} ms  errors {app_run.errors:5d}  "
              f"x{app_run.requests_per_second / base_run.requests_per_second:.3f} of {base_run.requests_per_second:.0f}",
              flush=True)
        if page.who == "voters":
            checks.append(score_check(database_url))
    return render(rows, checks, database_url, args)


def settle(base: str, *, quick: float = 0.5, limit: float = 300) -> None:
    """Wait until the app's workers have worked off what wrk left queued (requests sent, not yet answered).

    A slow page leaves requests in the listen queue that sync workers still serve after wrk has gone,
    which would otherwise be measured as part of the next run.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(base + "/auth/login", timeout=limit).read()
        except OSError:
            pass
        if time.monotonic() - started < quick:
            return


def score_check(database_url: str) -> str:
    drifted = query(database_url, "SELECT count(*) FROM idea i LEFT JOIN (SELECT idea_id, sum(value) AS total "
                                  "FROM vote GROUP BY idea_id) v ON v.idea_id = i.id WHERE i.score != coalesce(v.total, 0)")
    ideas = query(database_url, "SELECT count(*) FROM idea")[0][0]
    verdict = "holds" if drifted[0][0] == 0 else f"FAILS for {drifted[0][0]:,} ideas"
    return f"After the vote POSTs, `score == SUM(vote.value)` {verdict} (checked for all {ideas:,} ideas)."


# --- the report ---------------------------------------------------------------------------------------------

def render(rows, checks: list[str], database_url: str, args) -> str:
    ideas, votes, comments, accounts = (query(database_url, f"SELECT count(*) FROM {table}")[0][0]
                                        for table in ("idea", "vote", "comment", '"user"'))
    workers = subprocess.run([sys.executable, "-c", "import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])"],
                             cwd=PROJECT, capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT,
                           capture_output=True, text=True).stdout.split("\n")
    edited = sorted(line[3:] for line in dirty if line.strip())
    changed = f" with uncommitted edits to {', '.join(edited)}" if edited else ""
    lines = [
        f"# `make bench`: {args.db}, {args.size:,} ideas",
        "",
        f"- When: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; commit `{commit}`{changed}",
        f"- Machine: {os.cpu_count()} cores, {cpu_model()}, {platform.system()}, "
        f"Python {platform.python_version()}, {database_version(database_url)}; load average at the end "
        f"{', '.join(f'{value:.2f}' for value in os.getloadavg())}",
        f"- Data: {ideas:,} ideas, {votes:,} votes, {comments:,} comments, {accounts:,} accounts (`bench seed`)",
        f"- Settings: gunicorn.conf.py ({workers} sync workers) for the app and the baseline alike; "
        f"`wrk -t{args.threads} -c{args.connections} -d{args.duration}` on the same machine; rate limits off "
        "(`IDEAPORTAL_RATELIMIT_ENABLED=false`: every request comes from one address); "
        + ("REDIS_URL set: the shared cache is in Redis" if os.environ.get("REDIS_URL") else
           "no REDIS_URL: the shared cache is files in instance/cache/")
        + ", with its default lifetimes (leaderboard and statistics 60 s, visitors' pages 60 s or the next write); "
        "the request log on (a JSON line per request)."
        + "".join(f" Overridden for this run: `{name}={value}`." for name, value in sorted(os.environ.items())
                  if name.startswith("IDEAPORTAL_") and name != "IDEAPORTAL_RATELIMIT_ENABLED"),
        "- Baseline: `benchmarks/http/baseline.py`, the 20 newest ideas with raw driver calls and one compiled "
        "Jinja template, run right before each page; ratio = the page's req/s / that baseline run's req/s.",
        "- Errors: non-2xx/3xx responses plus socket errors and timeouts. After each page's run the runner waits "
        "until the app has answered what wrk left queued, so a slow page does not slow the next run.",
        "",
        "| page | as | req/s | p50 | p99 | errors | baseline req/s | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page, app_run, base_run in rows:
        who = "members (many)" if page.who == "voters" else page.who
        latency = (f"{app_run.p50_ms:,.1f} ms | {app_run.p99_ms:,.1f} ms" if app_run.requests_per_second
                   else f"none answered within {args.duration} | —")
        lines.append(
            f"| {page.name} | {who} | {app_run.requests_per_second:,.1f} | {latency} | {app_run.errors:,} | "
            f"{base_run.requests_per_second:,.0f} | {app_run.requests_per_second / base_run.requests_per_second:.3f} |"
        )
    lines += ["", *(f"- {check}" for check in checks), ""]
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def database_version(database_url: str) -> str:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return "PostgreSQL " + query(database_url, "SHOW server_version")[0][0].split()[0]


if __name__ == "__main__":
    main()
