"""The web consoles' server side: pages, logins, sessions and the gate, over in-memory HTTP.

The driver's console is read from the site ``ecsta.driver.tap.build`` makes, and the
multiplexer's from the status root its service mounts, so that what is tested is what runs.
"""

from importlib.resources import files
from typing import Any

from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.auth import hash_password
from ecsta.driver.config import DriverConfig
from ecsta.driver.tap import build
from ecsta.mux.config import ConfigError, from_dict
from ecsta.web.files import load
from ecsta.web.muxconsole import StatusRoot
from ecsta.web.sessions import SessionStore
from tests.console_http import Browser, Response
from tests.mux_harness import Rig, monitor_start

TOKEN = "a-console-token-of-some-length"
OTHER_TOKEN = "another-token-of-some-length"
CHEAP = {"scheme": "pbkdf2-sha256", "iterations": 100_000}
USERS = {
    "alice": hash_password("s3cret", **CHEAP),  # type: ignore[arg-type]
    "bob": hash_password("hunter2", **CHEAP),  # type: ignore[arg-type]
}


def driver_browser(tokens: list[str] | None = None, port: int = 8782) -> Browser:
    """A browser in front of the driver's real site (not started: no PBX, link down)."""
    reactor = MemoryReactorClock()
    config = DriverConfig(lines=["103", "104"], tokens=list(tokens or []))
    services = build(
        reactor, config, pbx_endpoint=lambda _: TCP4ClientEndpoint(reactor, "127.0.0.1", 9)
    )
    site: Any = services.api.factory
    browser = Browser(site.resource, clock=reactor, port=port)
    return browser


def mux_browser(document: dict[str, Any] | None = None) -> tuple[Browser, Rig]:
    rig = Rig(document if document is not None else {"users": USERS})
    return Browser(StatusRoot(rig.mux), clock=rig.clock, port=33335), rig


def login(browser: Browser, form: dict[str, str]) -> Response:
    return browser.request("POST", "/console/login", form)


class StaticFileTests(SynchronousTestCase):
    def test_pages_are_served_with_their_content_types(self) -> None:
        browser = driver_browser([TOKEN])
        expected = {
            "/console/": "text/html; charset=utf-8",
            "/console/index.html": "text/html; charset=utf-8",
            "/console/console.css": "text/css; charset=utf-8",
            "/console/console.js": "text/javascript; charset=utf-8",
            "/console/driver.js": "text/javascript; charset=utf-8",
            "/console/rules.js": "text/javascript; charset=utf-8",
        }
        for path, content_type in expected.items():
            response = browser.request("GET", path)
            self.assertEqual(
                (response.status, response.header("content-type")), (200, content_type)
            )
            self.assertEqual(response.header("x-content-type-options"), "nosniff")
            self.assertIn(
                "frame-ancestors 'none'", response.header("content-security-policy") or ""
            )
        page = browser.request("GET", "/console/").body
        self.assertIn(b"ecsta-driver console", page)
        self.assertIn(b'src="driver.js"', page)

    def test_each_console_has_its_own_page_and_the_shared_files(self) -> None:
        browser, _ = mux_browser()
        page = browser.request("GET", "/console/")
        self.assertIn(b"ecsta-mux console", page.body)
        self.assertEqual(browser.request("GET", "/console/mux.js").status, 200)
        self.assertEqual(browser.request("GET", "/console/console.js").status, 200)
        self.assertEqual(browser.request("GET", "/console/driver.js").status, 404)
        self.assertEqual(
            set(load("common", "mux")),
            {"calls.html", "calls.js", "console.css", "console.js", "index.html", "mux.js"},
        )

    def test_every_page_shows_the_head_and_the_login_form_from_their_one_piece(self) -> None:
        pieces = files("ecsta.web").joinpath("static", "pieces")
        for piece in ("head.html", "login-form.html"):
            text = pieces.joinpath(piece).read_text()
            shown = "\n".join(line.strip() for line in text.splitlines())
            for console in ("mux", "driver"):
                for name, page in load("common", console).items():
                    if name.endswith(".html"):
                        lines = "\n".join(line.strip() for line in page.body.decode().splitlines())
                        self.assertNotIn("<!-- piece:", lines, f"{console} {name}")
                        self.assertEqual(lines.count(shown), 1, f"{piece} in {console} {name}")
            self.assertEqual(mux_browser()[0].request("GET", f"/console/{piece}").status, 404)

    def test_the_bare_console_path_and_the_driver_root_lead_to_the_console(self) -> None:
        browser = driver_browser([TOKEN])
        bare = browser.request("GET", "/console")
        self.assertEqual((bare.status, bare.header("location")), (302, "console/"))
        root = browser.request("GET", "/")
        self.assertEqual((root.status, root.header("location")), (302, "/console/"))

    def test_nothing_outside_the_console_files_can_be_reached(self) -> None:
        browser = driver_browser([TOKEN])
        for path in [
            "/console/../setup.py",
            "/console/%2e%2e/%2e%2e/setup.py",
            "/console/..%2f..%2fweb%2fconsole.py",
            "/console/%2e%2e%2fconsole.py",
            "/console/..%5c..%5cconsole.py",
            "/console/static/driver/driver.js",
            "/console/driver/driver.js",
            "/console/common",
            "/console/index.html/x",
            "/console/__init__.py",
            "/console/%00index.html",
        ]:
            response = browser.request("GET", path)
            self.assertIn(response.status, (404, 400), path)
            self.assertNotIn(b"import ", response.body, path)
            self.assertNotIn(b"use strict", response.body, path)


class LoginTests(SynchronousTestCase):
    def test_a_good_token_opens_a_session_in_a_strict_httponly_cookie(self) -> None:
        browser = driver_browser([TOKEN, OTHER_TOKEN])
        before = browser.request("GET", "/console/session")
        self.assertEqual(before.status, 401)
        self.assertEqual(before.json()["login"], "token")
        answer = login(browser, {"token": OTHER_TOKEN})
        self.assertEqual(answer.status, 200)
        self.assertEqual(answer.json()["user"], "token 2")
        [cookie] = browser.set_cookies
        attributes = [part.strip().lower() for part in cookie.split(";")]
        self.assertTrue(attributes[0].startswith("ecsta_driver_8782="))
        self.assertIn("httponly", attributes)
        self.assertIn("samesite=strict", attributes)
        self.assertIn("path=/", attributes)
        self.assertTrue(any(a.startswith("max-age=") for a in attributes))
        self.assertNotIn(TOKEN.lower(), cookie.lower())
        after = browser.request("GET", "/console/session")
        self.assertEqual(after.status, 200)
        self.assertEqual(after.json()["csrf"], answer.json()["csrf"])

    def test_two_logins_get_different_random_sessions(self) -> None:
        first, second = driver_browser([TOKEN]), driver_browser([TOKEN])
        login(first, {"token": TOKEN})
        login(second, {"token": TOKEN})
        self.assertNotEqual(first.cookies, second.cookies)
        [value] = first.cookies.values()
        self.assertGreaterEqual(len(value), 40)

    def test_a_wrong_token_is_refused_and_opens_nothing(self) -> None:
        browser = driver_browser([TOKEN])
        forms: list[Any] = [{"token": TOKEN + "x"}, {"token": ""}, {"user": "alice"}, {"token": 5}]
        for index, form in enumerate(forms):
            browser.address = f"192.0.2.{index + 10}"  # each answered at once, not slowed down
            answer = login(browser, form)
            self.assertEqual(answer.status, 401, form)
        self.assertEqual(browser.set_cookies, [])
        self.assertEqual(browser.request("GET", "/console/session").status, 401)

    def test_a_login_must_be_a_same_origin_json_form(self) -> None:
        browser = driver_browser([TOKEN])
        as_form = browser.request(
            "POST",
            "/console/login",
            f"token={TOKEN}".encode(),
            {"content-type": "application/x-www-form-urlencoded"},
        )
        self.assertEqual(as_form.status, 400)
        as_text = browser.request(
            "POST",
            "/console/login",
            b'{"token": "%s"}' % TOKEN.encode(),
            {"content-type": "text/plain"},
        )
        self.assertEqual(as_text.status, 400)
        elsewhere = browser.request(
            "POST", "/console/login", {"token": TOKEN}, {"origin": "https://evil.example"}
        )
        self.assertEqual(elsewhere.status, 400)
        self.assertEqual(browser.cookies, {})
        here = browser.request(
            "POST", "/console/login", {"token": TOKEN}, {"origin": browser.origin}
        )
        self.assertEqual(here.status, 200)

    def test_failed_logins_are_slowed_down_then_locked_out(self) -> None:
        browser = driver_browser([TOKEN])
        for _ in range(3):
            self.assertEqual(login(browser, {"token": "wrong-wrong-wrong"}).status, 401)
        slowed = browser.send("POST", "/console/login", {"token": "wrong-wrong-wrong"})
        self.assertEqual(slowed.response().status, 0)
        browser.clock.advance(1.0)
        self.assertEqual(slowed.response().status, 401)
        for _ in range(6):  # the tenth failure locks the address out
            browser.send("POST", "/console/login", {"token": "wrong-wrong-wrong"})
            browser.clock.advance(16.0)
        locked = login(browser, {"token": TOKEN})
        self.assertEqual(locked.status, 429)
        self.assertIsNotNone(locked.header("retry-after"))
        self.assertEqual(browser.cookies, {})
        browser.address = "192.0.2.8"
        self.assertEqual(login(browser, {"token": TOKEN}).status, 200)

    def test_a_session_ends_when_idle_and_at_logout(self) -> None:
        browser = driver_browser([TOKEN])
        csrf = login(browser, {"token": TOKEN}).json()["csrf"]
        browser.clock.advance(25 * 60)
        self.assertEqual(browser.request("GET", "/api/v1/lines").status, 200)
        browser.clock.advance(25 * 60)
        self.assertEqual(browser.request("GET", "/console/session").status, 200)
        cookies = dict(browser.cookies)
        # Logging out is a change: without the CSRF header it is refused and changes nothing.
        self.assertEqual(browser.request("POST", "/console/logout").status, 401)
        self.assertEqual(browser.request("GET", "/console/session").status, 200)
        out = browser.request("POST", "/console/logout", headers={"x-csrf-token": csrf})
        self.assertEqual(out.status, 200)
        self.assertEqual(browser.cookies, {})
        browser.cookies = cookies  # a copy of the cookie kept from before is of no use now
        self.assertEqual(browser.request("GET", "/console/session").status, 401)
        login(browser, {"token": TOKEN})
        browser.clock.advance(31 * 60)
        self.assertEqual(browser.request("GET", "/console/session").status, 401)

    def test_the_cookie_is_named_after_the_port(self) -> None:
        browser = driver_browser([TOKEN], port=9100)
        login(browser, {"token": TOKEN})
        self.assertEqual(list(browser.cookies), ["ecsta_driver_9100"])


class DriverGateTests(SynchronousTestCase):
    def test_the_api_answers_401_without_a_token_or_session(self) -> None:
        browser = driver_browser([TOKEN])
        lines = browser.request("GET", "/api/v1/lines")
        self.assertEqual(lines.status, 401)
        self.assertEqual(lines.json()["error"], "unauthorized")
        self.assertEqual(browser.request("GET", "/api/v1/events").status, 401)
        dial = browser.request("POST", "/api/v1/lines/103/makecall", {"to": "104"})
        self.assertEqual(dial.status, 401)

    def test_a_session_calls_the_api_and_changes_need_its_csrf_token(self) -> None:
        browser = driver_browser([TOKEN])
        csrf = login(browser, {"token": TOKEN}).json()["csrf"]
        lines = browser.request("GET", "/api/v1/lines")
        self.assertEqual(lines.status, 200)
        self.assertEqual([line["line"] for line in lines.json()["lines"]], ["103", "104"])
        forged = browser.request("POST", "/api/v1/lines/103/makecall", {"to": "104"})
        self.assertEqual(forged.status, 401)
        wrong = browser.request(
            "POST", "/api/v1/lines/103/makecall", {"to": "104"}, {"x-csrf-token": csrf + "x"}
        )
        self.assertEqual(wrong.status, 401)
        # Past the gate, the request reaches the driver, which has no PBX link in this test.
        allowed = browser.request(
            "POST", "/api/v1/lines/103/makecall", {"to": "104"}, {"x-csrf-token": csrf}
        )
        self.assertEqual((allowed.status, allowed.json()["error"]), (503, "pbxUnavailable"))

    def test_a_request_from_another_site_is_refused_even_with_the_cookie(self) -> None:
        browser = driver_browser([TOKEN])
        csrf = login(browser, {"token": TOKEN}).json()["csrf"]
        for method in ("GET", "POST"):
            answer = browser.request(
                method,
                "/api/v1/lines",
                headers={"origin": "http://127.0.0.1:9999", "x-csrf-token": csrf},
            )
            self.assertEqual((answer.status, answer.json()["error"]), (403, "crossSite"), method)
        upgrade = browser.request(
            "GET", "/api/v1/events", headers={"origin": "https://evil.example"}
        )
        self.assertEqual(upgrade.status, 403)

    def test_bearer_tokens_still_work(self) -> None:
        browser = driver_browser([TOKEN])
        answer = browser.request(
            "GET", "/api/v1/lines", headers={"authorization": f"Bearer {TOKEN}"}
        )
        self.assertEqual(answer.status, 200)

    def test_without_tokens_the_console_needs_no_login(self) -> None:
        browser = driver_browser([])
        session = browser.request("GET", "/console/session")
        self.assertEqual((session.status, session.json()["login"]), (200, "none"))
        self.assertEqual(login(browser, {"token": TOKEN}).status, 409)
        self.assertEqual(browser.request("GET", "/api/v1/lines").status, 200)


class MuxConsoleTests(SynchronousTestCase):
    def test_users_log_in_with_their_password(self) -> None:
        browser, _ = mux_browser()
        self.assertEqual(browser.request("GET", "/console/session").json()["login"], "password")
        self.assertEqual(login(browser, {"user": "alice", "password": "wrong"}).status, 401)
        self.assertEqual(login(browser, {"user": "carol", "password": "s3cret"}).status, 401)
        self.assertEqual(browser.cookies, {})
        answer = login(browser, {"user": "alice", "password": "s3cret"})
        self.assertEqual((answer.status, answer.json()["user"]), (200, "alice"))
        self.assertEqual(list(browser.cookies), ["ecsta_mux_33335"])

    def test_console_users_narrow_down_who_may_log_in(self) -> None:
        browser, _ = mux_browser({"users": USERS, "console": {"users": ["bob"]}})
        self.assertEqual(login(browser, {"user": "alice", "password": "s3cret"}).status, 401)
        self.assertEqual(login(browser, {"user": "bob", "password": "hunter2"}).status, 200)

    def test_the_status_needs_a_session_in_the_console_and_none_where_it_was(self) -> None:
        browser, rig = mux_browser()
        app = rig.connect_app()
        rig.send(app, monitor_start(9, "101"))
        self.assertEqual(browser.request("GET", "/console/api/status").status, 401)
        for path in ("/", "/status", "/anything"):
            plain = browser.request("GET", path)
            self.assertEqual(
                (plain.status, plain.header("content-type")), (200, "application/json")
            )
            self.assertTrue(plain.json()["pbx"]["connected"])
        login(browser, {"user": "alice", "password": "s3cret"})
        status = browser.request("GET", "/console/api/status")
        self.assertEqual(status.status, 200)
        self.assertEqual(status.header("cache-control"), "no-store")
        document = status.json()
        self.assertEqual(document["pbx"]["state"], "up")
        self.assertEqual(len(document["applications"]), 1)
        self.assertEqual(len(document["monitors"]), 1)
        self.assertEqual(browser.request("POST", "/console/api/status").status, 401)

    def test_without_users_the_console_is_as_open_as_the_status_page(self) -> None:
        browser, _ = mux_browser({})
        self.assertEqual(browser.request("GET", "/console/session").json()["login"], "none")
        self.assertEqual(browser.request("GET", "/console/api/status").status, 200)

    def test_console_users_must_be_configured_users(self) -> None:
        with self.assertRaisesRegex(ConfigError, r"console.users\[0\]: 'carol' is not one"):
            from_dict({"users": USERS, "console": {"users": ["carol"]}})
        with self.assertRaisesRegex(ConfigError, "console.users: expected a list"):
            from_dict({"users": USERS, "console": {"users": "alice"}})
        with self.assertRaisesRegex(ConfigError, r"console.colour: unknown key"):
            from_dict({"console": {"colour": "blue"}})


class SessionStoreTests(SynchronousTestCase):
    def test_sessions_expire_when_idle_and_after_their_lifetime(self) -> None:
        clock = Clock()
        store = SessionStore(clock.seconds, idle_timeout=10, max_lifetime=25)
        session_id, session = store.open("alice")
        for _ in range(2):
            clock.advance(9)
            self.assertIs(store.find(session_id), session)
        clock.advance(9)
        self.assertIsNone(store.find(session_id), "27 s after the login")
        other, _ = store.open("bob")
        clock.advance(10)
        self.assertIsNone(store.find(other), "10 s idle")
        self.assertEqual(len(store), 0)

    def test_the_table_is_bounded_and_drops_the_least_recently_used(self) -> None:
        clock = Clock()
        store = SessionStore(clock.seconds, max_sessions=3)
        ids = [store.open(f"user{i}")[0] for i in range(3)]
        store.find(ids[0])
        newest, _ = store.open("user3")
        self.assertEqual(len(store), 3)
        self.assertIsNone(store.find(ids[1]))
        for kept in (ids[0], ids[2], newest):
            self.assertIsNotNone(store.find(kept))

    def test_the_table_holds_no_usable_session_identifier(self) -> None:
        store = SessionStore(Clock().seconds)
        session_id, session = store.open("alice")
        self.assertNotIn(session_id, repr(store.__dict__))
        self.assertNotEqual(session.csrf, session_id)
        self.assertIsNone(store.find(session.csrf))
