"""The web consoles in a real browser: headless chromium driven through chromedriver.

The driver runs against the simulator in this process on free loopback ports, since a browser
reaches only real sockets; the browser logs in on the console page, dials from it, and the
test checks both ends: the simulator has the call, and the page shows it as the driver's event
stream reports it, then answers, holds, retrieves and drops it with the page's buttons. The
multiplexer's console is logged in to and shows the PBX link and a connected application.

Browser commands block, so they run in a thread while the reactor serves the page.
"""

import os
from collections.abc import Callable
from typing import Any, TypeVar

from twisted.internet.threads import deferToThread
from twisted.trial.unittest import SkipTest, TestCase

from ecsta.daemon.auth import hash_password
from ecsta.driver.licence import LicencePool
from ecsta.mux.service import MuxService
from ecsta.sim.runtime import SimulatorService
from tests.driver_harness import DriverHarness
from tests.mux_e2e import connect
from tests.mux_harness import monitor_start
from tests.mux_in_process import start_sim_and_mux
from tests.test_driver_receptionist import PoolClock
from tests.waiting import until
from tests.webdriver import Chromium, unavailable

TOKEN = "a-browser-test-token-of-some-length"
CONNECTED = {"103": "connected", "104": "connected"}
T = TypeVar("T")

#: The calls the page shows, as (line, state) pairs.
CALL_ROWS = (
    "return [...document.querySelectorAll('#calls tr[data-call]')]"
    ".map(r => [r.dataset.line, r.dataset.state])"
)


class BrowserTestCase(TestCase):
    timeout = 120

    def setUp(self) -> None:
        reason = unavailable()
        if reason is not None:
            raise SkipTest(reason)

    async def browser(self) -> Chromium:
        chromium = await deferToThread(Chromium)
        self.addCleanup(deferToThread, chromium.close)
        return chromium

    async def do(self, action: Callable[..., T], *arguments: Any) -> T:
        """A blocking browser command, in a thread."""
        result: T = await deferToThread(action, *arguments)
        return result

    async def start_mux(self, **sections: Any) -> tuple[MuxService, SimulatorService, int, int]:
        """The simulator and a multiplexer connected to it (user alice, password s3cret, and
        ``sections`` of its configuration); their application and status ports."""
        users = {"alice": hash_password("s3cret", "pbkdf2-sha256", iterations=100_000)}
        return await start_sim_and_mux(self, users=users, **sections)

    async def until(self, probe: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
        """Wait in the reactor until ``probe()`` (which may be async) is true."""
        return await until(probe, timeout, what, poll=0.05)


class DriverConsoleTests(BrowserTestCase):
    async def sim_calls(self, h: DriverHarness) -> list[dict[str, str]]:
        """The simulator's calls, each as {device: LocalConnectionState}."""
        state = await h.control("GET", "/state")
        return [{c["device"]: c["state"] for c in call["connections"]} for call in state["calls"]]

    async def test_a_banner_and_no_call_buttons_while_the_pbx_is_away(self) -> None:
        h = DriverHarness()
        self.addCleanup(h.stop)
        await h.start(["103", "104"])
        browser = await self.browser()
        await self.do(browser.get, f"http://127.0.0.1:{h.api_port}/")
        await self.do(
            browser.wait,
            lambda: browser.run("return document.querySelector('#live').dataset.state") == "live",
            10,
            "the event stream connected",
        )
        banner = "return [document.querySelector('#pbx-banner').hidden, " + (
            "document.querySelector('#pbx-banner').textContent, "
            "document.querySelector('#dial-button').disabled]"
        )
        self.assertEqual((await self.do(browser.run, banner))[0::2], [True, False])
        await h.control("POST", "/link/refuse", {"seconds": 3})
        await h.control("POST", "/link/drop")
        _, text, disabled = await self.do(
            browser.wait,
            lambda: (shown := browser.run(banner)) and not shown[0] and shown,
            10,
            "the banner is shown",
        )
        self.assertIn("the PBX link is down", text)
        self.assertTrue(disabled)
        self.assertNotIn("logged out", await self.do(browser.text, "#live"))
        await self.do(
            browser.wait,
            lambda: browser.run(banner)[0::2] == [True, False],
            20,
            "the banner goes once the PBX is back",
        )

    async def log_in(self, browser: Chromium) -> None:
        """Log in on the console page shown, and wait for the live event stream."""
        await self.do(browser.type, "#login-token", TOKEN)
        await self.do(browser.click, "#login-submit")
        await self.do(browser.element, "#dial-form")
        await self.do(
            browser.wait,
            lambda: browser.run("return document.querySelector('#live').dataset.state") == "live",
            10,
            "the event stream connected",
        )

    async def test_a_line_whose_trial_ended_offers_no_operation(self) -> None:
        """The trial licence runs out during a call from 103 to 104: the page stops offering
        the call's buttons and the lines in the dial form, and says why."""
        h = DriverHarness()
        self.addCleanup(h.stop)
        await h.start(["103", "104"], tokens=[TOKEN])
        clock = PoolClock()
        directory = self.mktemp()
        os.makedirs(directory)
        assert h.driver.admin is not None
        h.driver.admin.licences = LicencePool(directory, clock=clock)
        for line in ("103", "104"):
            await h.api("POST", f"/lines/{line}/close", token=TOKEN)
            await h.api("POST", f"/lines/{line}/open", token=TOKEN)
        await h.api("POST", "/lines/103/makecall", {"to": "104"}, token=TOKEN)
        browser = await self.browser()
        await self.do(browser.get, f"http://127.0.0.1:{h.api_port}/")
        await self.log_in(browser)
        offered = (
            "return [...document.querySelectorAll('#calls tr[data-call]')]"
            ".map(r => [r.dataset.line, !r.querySelector('button[data-op=drop]').disabled])"
        )
        await self.do(
            browser.wait,
            lambda: sorted(browser.run(offered)) == [["103", True], ["104", True]],
            10,
            "both calls offer Drop",
        )
        dial_lines = (
            "return [...document.querySelectorAll('#dial-line option')].map(o => o.disabled)"
        )
        self.assertEqual(await self.do(browser.run, dial_lines), [False, False])
        applying = "return document.querySelector('#forward-apply').disabled"
        self.assertFalse(await self.do(browser.run, applying))
        # Without a Super-Twin DECT the Mobile address is not offered for forwarding.
        mobile = "return document.querySelector('#forward-address option[value=\"1\"]').disabled"
        self.assertTrue(await self.do(browser.run, mobile))

        clock.now += 45 * 86400.0
        await h.driver.retry_monitors()
        await self.do(
            browser.wait,
            lambda: sorted(browser.run(offered)) == [["103", False], ["104", False]],
            10,
            "neither line offers Drop once the trial ended",
        )
        self.assertEqual(await self.do(browser.run, dial_lines), [True, True])
        self.assertTrue(await self.do(browser.run, applying), "no forwarding set for it")
        error = "return document.querySelector('#lines tr[data-line=\"103\"]').cells[7].textContent"
        self.assertIn("45-day trial has ended", await self.do(browser.run, error))

    async def test_log_in_dial_and_follow_the_call_live(self) -> None:
        h = DriverHarness()
        self.addCleanup(h.stop)
        await h.start(["103", "104"], tokens=[TOKEN])
        browser = await self.browser()

        await self.do(browser.get, f"http://127.0.0.1:{h.api_port}/")
        await self.do(browser.type, "#login-token", "not-the-token-at-all")
        await self.do(browser.click, "#login-submit")
        await self.do(
            browser.wait, lambda: browser.text("#login-error") == "Wrong login.", 10, "refusal"
        )
        self.assertTrue(browser.url.endswith("/console/"), browser.url)
        await self.log_in(browser)
        self.assertIn("logged in", await self.do(browser.text, "#whoami"))

        await self.do(browser.click, '#dial-line option[value="103"]')
        await self.do(browser.type, "#dial-to", "104")
        await self.do(browser.click, "#dial-button")

        calls = await self.until(
            lambda: self.sim_calls(h), "the simulator has the call from 103 to 104"
        )
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0].get("104"), "alerting", calls)
        self.assertIn("103", calls[0])
        rows = await self.do(
            browser.wait,
            lambda: (
                sorted(r := browser.run(CALL_ROWS)) == [["103", "RINGBACK"], ["104", "OFFERING"]]
                and r
            ),
            10,
            "the page shows the call ringing at 104",
        )
        self.assertEqual(len(rows), 2)
        self.assertIn("Call", await self.do(browser.text, "#dial-result"))
        # The page learnt of the call from the event stream, which it logs.
        events = await self.do(browser.text, "#events")
        self.assertIn("104 LINE_NEWCALL", events)

        await self.do(browser.click, '#calls tr[data-line="104"] button[data-op="answer"]')
        await self.until(lambda: self._states(h, CONNECTED), "the simulator has the call connected")
        await self.do(
            browser.wait,
            lambda: sorted(browser.run(CALL_ROWS)) == [["103", "CONNECTED"], ["104", "CONNECTED"]],
            10,
            "the page shows the call connected",
        )

        await self.do(browser.click, '#calls tr[data-line="103"] button[data-op="hold"]')
        await self.until(lambda: self._states(h, {"103": "hold", "104": "connected"}), "held")
        await self.do(
            browser.wait,
            lambda: sorted(browser.run(CALL_ROWS)) == [["103", "ONHOLD"], ["104", "CONNECTED"]],
            10,
            "the page shows the call held",
        )
        await self.do(browser.click, '#calls tr[data-line="103"] button[data-op="unhold"]')
        await self.until(lambda: self._states(h, CONNECTED), "retrieved")

        await self.do(browser.click, '#calls tr[data-line="103"] button[data-op="drop"]')
        await self.until(lambda: self._no_calls(h), "the simulator has no call left")
        await self.do(
            browser.wait, lambda: browser.run(CALL_ROWS) == [], 10, "the page shows no call"
        )

    async def _states(self, h: DriverHarness, states: dict[str, str]) -> bool:
        """Whether the simulator has one call, whose connections are in ``states``."""
        return await self.sim_calls(h) == [states]

    async def _no_calls(self, h: DriverHarness) -> bool:
        return not await self.sim_calls(h)


class DriverAdministrationTests(BrowserTestCase):
    """The rule editors and their checks, import and export, forwarding and the licence."""

    async def test_rules_lines_forwarding_and_licence(self) -> None:
        h = DriverHarness()
        self.addCleanup(h.stop)
        await h.start(["103", "104", "105"], tokens=[TOKEN])
        admin = h.driver.admin
        b = await self.browser()
        await self.do(b.get, f"http://127.0.0.1:{h.api_port}/console/")
        await self.do(b.type, "#login-token", TOKEN)
        await self.do(b.click, "#login-submit")

        # Number format: a rule saved, checked, and a broken one refused with its place named.
        await self.do(b.click, 'nav.tabs button[data-tab="tab-rules"]')
        await self.do(b.click, "#rules-incoming .add-rule")
        await self.do(b.type, '#rules-incoming tr:nth-child(1) [data-field="search"]', "^0(.*)")
        await self.do(b.type, '#rules-incoming tr:nth-child(1) [data-field="replace"]', "\\1")
        await self.do(b.click, "#numberformat-save")
        await self.do(b.wait, lambda: b.text("#numberformat-result") == "Saved.", 10, "saved")
        [rule] = admin.settings.number_format.incoming
        self.assertEqual((rule.search, rule.replace, rule.regex), ("^0(.*)", "\\1", True))
        await self.do(b.type, "#numberformat-number", "0301234")
        await self.do(b.click, "#numberformat-check button")
        await self.do(
            b.wait,
            lambda: b.text("#numberformat-answer") == "→ 301234 (rule 0)",
            10,
            "the check's answer",
        )
        self.assertEqual(
            await self.do(
                b.run,
                "return document.querySelector('#rules-incoming tr.matched')"
                " ?.cells[0].textContent",
            ),
            "0",
        )
        await self.do(b.click, "#rules-incoming .add-rule")
        await self.do(b.type, '#rules-incoming tr:nth-child(2) [data-field="search"]', "(")
        await self.do(b.click, "#numberformat-save")
        error = await self.do(
            b.wait,
            lambda: (t := b.text("#numberformat-result")) != "Saved." and t,
            10,
            "the refusal",
        )
        self.assertTrue(error.startswith("numberFormat.incoming[1].search: "), error)
        self.assertIsNotNone(await self.do(b.find, "#rules-incoming tr:nth-child(2).invalid"))
        self.assertEqual(len(admin.settings.number_format.incoming), 1)

        # SIP filter: enabled with a rule, and a device checked against it.
        await self.do(b.click, "#sipfilter-enabled")
        await self.do(b.click, "#rules-sipfilter .add-rule")
        await self.do(b.type, '#rules-sipfilter tr:nth-child(1) [data-field="search"]', "SIP")
        await self.do(b.click, "#sipfilter-save")
        await self.do(b.wait, lambda: b.text("#sipfilter-result") == "Saved.", 10, "saved")
        self.assertTrue(admin.settings.sip_filter.enabled)
        self.assertEqual([r.search for r in admin.settings.sip_filter.rules], ["SIP"])
        await self.do(b.type, "#sipfilter-name", "SIP phone 7")
        await self.do(b.click, "#sipfilter-check button")
        await self.do(
            b.wait, lambda: b.text("#sipfilter-answer") == "filtered out by rule 0", 10, "check"
        )

        # Lines: export, a refused import with its problems, then an import that renames.
        await self.do(b.click, 'nav.tabs button[data-tab="tab-lines"]')
        await self.do(b.click, "#export-lines")
        exported = await self.do(
            b.wait,
            lambda: b.run("return document.querySelector('#lines-text').value"),
            10,
            "the export",
        )
        self.assertEqual(exported.split(), ["103", "104", "105"])
        await self.do(b.type, "#lines-text", "10 3\n")
        await self.do(b.click, "#import-lines")
        problem = await self.do(
            b.wait, lambda: b.text("#import-problems li"), 10, "the import's problem"
        )
        self.assertTrue(problem.startswith("line 1: "), problem)
        await self.do(b.type, "#lines-text", "103,Reception\n104\n105\n")
        await self.do(b.click, "#import-lines")
        await self.do(
            b.wait,
            lambda: b.text("#import-result").startswith("Imported: 0 added, 1 renamed"),
            10,
            "the import's result",
        )
        self.assertEqual(admin.store.get("103").name, "Reception")
        await self.do(
            b.wait,
            lambda: b.text('#lines tr[data-line="103"] td:nth-child(2)') == "Reception",
            10,
            "the new name in the lines table",
        )

        # Forwarding of a line, set at the PBX and cancelled again.
        await self.do(b.click, '#forward-line option[value="104"]')
        await self.do(b.click, "#forward-add")
        await self.do(b.type, "#forwards tr:nth-child(1) .forward-to", "105")
        await self.do(b.click, "#forward-apply")
        await self.do(
            b.wait, lambda: b.text("#forward-result") == "Forwarding of 104 set.", 10, "set"
        )
        forwarding = h.driver.lines.get("104").forwarding
        self.assertEqual(forwarding[0], [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}])
        await self.do(
            b.wait,
            lambda: b.run("return document.querySelector('#forwards .forward-to')?.value") == "105",
            10,
            "the forwarding read back",
        )
        await self.do(b.click, "#forward-cancel")
        await self.do(
            b.wait, lambda: b.text("#forward-result") == "Forwarding of 104 cancelled.", 10, "off"
        )
        self.assertEqual(h.driver.lines.get("104").forwarding[0], [])

        await self.do(b.click, 'nav.tabs button[data-tab="tab-licence"]')
        await self.do(
            b.wait, lambda: b.text("#licence-mode") == "off (no licence pool)", 10, "licence"
        )


class MuxConsoleTests(BrowserTestCase):
    async def test_log_in_and_see_the_pbx_link_and_an_application(self) -> None:
        mux, _, apps, status = await self.start_mux()
        await self.until(lambda: mux.mux.pbx is not None, "the PBX link is up")
        app = await connect(apps, user="alice", password="s3cret")
        self.addCleanup(app.abort)
        await app.invoke_raw(monitor_start(1, "101"), timeout=10)
        browser = await self.browser()

        await self.do(browser.get, f"http://127.0.0.1:{status}/console/")
        await self.do(browser.type, "#login-user", "alice")
        await self.do(browser.type, "#login-password", "wrong")
        await self.do(browser.click, "#login-submit")
        await self.do(
            browser.wait, lambda: browser.text("#login-error") == "Wrong login.", 10, "refusal"
        )
        await self.do(browser.type, "#login-password", "s3cret")
        await self.do(browser.click, "#login-submit")

        badge = await self.do(
            browser.wait,
            lambda: browser.run(
                "const b = document.querySelector('#pbx-state');"
                "return b.dataset.connected === 'true' && b.textContent"
            ),
            10,
            "the PBX link shown as connected",
        )
        self.assertEqual(badge, "connected (up)")
        row = await self.do(
            browser.wait,
            lambda: browser.run(
                "const r = document.querySelector('#applications tr[data-app]');"
                "return r && [...r.cells].map(c => c.textContent)"
            ),
            10,
            "the application listed",
        )
        self.assertEqual(row[2:4], ["alice", "no"])
        self.assertTrue(row[1].startswith("127.0.0.1:"), row)
        self.assertTrue(row[5].startswith("1: "), row)
        monitor = await self.do(browser.text, "#monitors tr[data-monitor] td:nth-child(3)")
        self.assertIn("101", monitor)
        self.assertIn("logged in: alice", await self.do(browser.text, "#whoami"))


class CallsPageTests(BrowserTestCase):
    async def test_a_call_made_on_the_simulator_is_listed_and_downloaded_as_csv(self) -> None:
        journal = os.path.abspath(os.path.join(self.mktemp(), "journal.sqlite"))
        mux, sim, _, status = await self.start_mux(journal={"path": journal})
        await self.until(lambda: mux.mux.router.cdr.sessions[0].pbx_xref, "CDR transmission on")

        switch = sim.factory.switch
        sim.factory.run(lambda: switch.incoming("+4930555123", "101"))
        sim.factory.run(lambda: switch.answer(switch.device("101")))
        sim.factory.run(lambda: switch.onhook(switch.device("101")))
        await self.until(lambda: mux.mux.journal and mux.mux.journal.stored == 1, "call stored")

        browser = await self.browser()
        await self.do(browser.get, f"http://127.0.0.1:{status}/console/")
        await self.do(browser.type, "#login-user", "alice")
        await self.do(browser.type, "#login-password", "s3cret")
        await self.do(browser.click, "#login-submit")
        await self.do(browser.element, "#app")  # logged in: the status page is shown
        await self.do(browser.click, "#calls-link")
        await self.do(browser.type, "#calls-number", "+4930555123")
        await self.do(browser.click, "#calls-find")
        row = await self.do(
            browser.wait,
            lambda: browser.run(
                "const r = document.querySelector('#calls tr[data-call]');"
                "return r && [...r.cells].map(c => c.textContent)"
            ),
            10,
            "the call listed",
        )
        self.assertEqual(row[3:5], ["+4930555123", "101"])
        self.assertEqual(await self.do(browser.text, "#journal-state"), "journal ok")
        # The download link, fetched as the browser would with the page's session.
        csv = await self.do(
            browser.run,
            "const x = new XMLHttpRequest();"
            "x.open('GET', document.querySelector('#calls-csv').href, false); x.send();"
            "return x.status + '\\n' + x.responseText;",
        )
        status_line, _, csv = csv.partition("\n")
        self.assertEqual(status_line, "200")
        lines = csv.splitlines()
        self.assertEqual(len(lines), 2, csv)
        self.assertIn(",+4930555123,101,", lines[1])
