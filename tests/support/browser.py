"""A real headless Chromium for report tests, driven over the DevTools protocol on a pipe.

Why a pipe and not a port: ``--remote-debugging-pipe`` opens no socket, so the test browser is
reachable by nobody else, and the protocol still lets a test see what a person would see (the DOM
after scripts ran, a screenshot) plus what a person would not: every network request the page
made and every console message, including Content-Security-Policy violations.

Usage::

    with Browser() as browser:
        page = browser.open(path)          # waits for the load event
        page.requests                      # every URL the page requested
        page.console                       # console / log messages (text)
        page.evaluate("document.title")
        page.screenshot(png_path)

``chromium_path()`` returns None when Chromium is absent so tests can skip with a reason.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The real binary first: Debian's /usr/bin/chromium is a shell wrapper.
CANDIDATES = (
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",     "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)

# Runs before any page script (DevTools-injected scripts are not subject to the page's CSP),
# so CSP violations are recorded even when the page's own script is blocked.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                               sample: e.sample || ''});
});
"""


def chromium_path() -> str | None:
    """The Chromium binary, or None if not installed."""
    for candidate in CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def _high_fd(fd: int) -> int:
    """A copy of ``fd`` numbered 10 or above (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class BrowserError(RuntimeError):
    pass


@dataclass
class Page:
    """One loaded page and what the browser observed while loading it."""

    browser: Browser
    session: str
    url: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (returned by value)."""
        result = self.browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def dom(self) -> str:
        """The document as serialised after scripts ran (what --dump-dom prints)."""
        return self.evaluate("document.documentElement.outerHTML")

    def csp_violations(self) -> list[dict[str, str]]:
        return self.evaluate("window.__cspViolations || []")

    def screenshot(
        self, path: Path, width: int = 1100, top: int = 0, height: int | None = None
    ) -> Path:
        """A PNG ``width`` CSS pixels wide: the whole page, or ``height`` px from ``top``."""
        full = int(self.evaluate("document.documentElement.scrollHeight")) or 800
        self.browser.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": full, "deviceScaleFactor": 1, "mobile": False},
            session=self.session,
        )
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if height is not None:
            params["clip"] = {"x": 0, "y": top, "width": width, "height": height, "scale": 1}
        data = self.browser.call("Page.captureScreenshot", params, session=self.session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def click(self, selector: str) -> None:
        """Click the first element matching ``selector`` (dispatched as a DOM click)."""
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def emulate_media(self, media: str = "", dark: bool | None = None) -> None:
        """Render as ``media`` ("print", "screen") and/or with a light or dark colour scheme."""
        features = []
        if dark is not None:
            features.append({"name": "prefers-color-scheme", "value": "dark" if dark else "light"})
        self.browser.call(
            "Emulation.setEmulatedMedia", {"media": media, "features": features},
            session=self.session,
        )

    def settle(self, seconds: float = 0.3) -> None:
        """Let queued events (console, network) arrive."""
        self.browser.pump(seconds)


class Browser:
    """A headless Chromium talking DevTools protocol over fds 3/4."""

    def __init__(self, binary: str | None = None, dark: bool = False) -> None:
        self.binary = binary or chromium_path()
        if not self.binary:
            raise BrowserError("chromium is not installed")
        self.dark = dark
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._pages: dict[str, Page] = {}

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="coach-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Move the child's ends above 9 so the redirection below never clobbers fd 3 or 4.
        to_child_r, from_child_w = (_high_fd(to_child_r), _high_fd(from_child_w))
        # The child must see the pipes as fds 3 (commands in) and 4 (replies out); bash (dash only
        # knows fds 0-9) redirection does that mapping after the standard fds are set up.
        args = [self.binary, *FLAGS, f"--user-data-dir={self._profile}"]
        if self.dark:
            args.append("--force-dark-mode")
        args.append("about:blank")
        r, w = to_child_r, from_child_w
        shell = f'exec "$0" "$@" 3<&{r} 4>&{w} {r}<&- {w}>&-'
        self._proc = subprocess.Popen(
            ["/bin/bash", "-c", shell, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_child_r, from_child_w),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        os.set_blocking(self._from_child, False)
        self.call("Target.setDiscoverTargets", {"discover": True})

    def close(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is None:
            return
        try:
            self._send({"id": self._new_id(), "method": "Browser.close"})
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)
        self._proc = None

    # ------------------------------------------------------------------ protocol
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _send(self, message: dict[str, Any]) -> None:
        os.write(self._to_child, json.dumps(message).encode() + b"\0")

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """One message from the browser, or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                return None
            if self._proc.poll() is not None:
                raise BrowserError(f"chromium exited with code {self._proc.returncode}")
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            if not chunk:
                raise BrowserError("chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._record(message)
        return message

    def _record(self, event: dict[str, Any]) -> None:
        page = self._pages.get(event.get("sessionId", ""))
        if page is None:
            self._events.append(event)
            return
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])
        elif method == "Log.entryAdded":
            entry = params["entry"]
            page.console.append(f"[{entry.get('source')}:{entry.get('level')}] {entry.get('text')}")
        elif method == "Runtime.consoleAPICalled":
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            page.console.append(f"[console:{params.get('type')}] {' '.join(texts)}")
        elif method == "Runtime.exceptionThrown":
            page.console.append(f"[exception] {params['exceptionDetails'].get('text')}")
        self._events.append(event)

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send a command and wait for its reply (events arriving meanwhile are recorded)."""
        message: dict[str, Any] = {"id": self._new_id(), "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self._read(deadline - time.monotonic())
            if reply and reply.get("id") == message["id"]:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise BrowserError(f"{method}: no reply within {timeout}s")

    def pump(self, seconds: float) -> None:
        """Read and record events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(max(0.0, deadline - time.monotonic()))

    def wait_event(self, method: str, session: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        start = len(self._events)
        while time.monotonic() < deadline:
            for event in self._events[start:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            start = len(self._events)
            self._read(min(0.2, max(0.0, deadline - time.monotonic())))
        raise BrowserError(f"no {method} within {timeout}s")

    # ------------------------------------------------------------------ pages
    def open(self, target: Path | str, width: int = 1100, height: int = 900) -> Page:
        """Open a file (or URL) in a fresh tab, recording requests and console; wait for load."""
        url = target.resolve().as_uri() if isinstance(target, Path) else target
        target_id = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target_id, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session, url)
        self._pages[session] = page
        for domain in ("Page", "Network", "Log", "Runtime"):
            self.call(f"{domain}.enable", session=session)
        self.call(
            "Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD_VIOLATIONS}, session=session
        )
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        if self.dark:
            self.call(
                "Emulation.setEmulatedMedia",
                {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
                session=session,
            )
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        page.settle(0.3)
        return page
