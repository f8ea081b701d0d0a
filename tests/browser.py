"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
no Python dependency beyond the standard library, no network port. Loads a page, collects
console errors and uncaught exceptions, evaluates JavaScript and takes a screenshot."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        if path := shutil.which(name):
            return path
    return None


@dataclass
class PageResult:
    console_errors: list[str] = field(default_factory=list)
    screenshot_png: bytes = b""
    values: dict[str, object] = field(default_factory=dict)


class Chromium:
    """One headless browser; messages are JSON terminated by NUL on fds 3 (in) and 4 (out)."""

    def __init__(self, binary: str, width: int = 1300, height: int = 2400):
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:   # runs in the child: the protocol expects fds 3 and 4
            high_in, high_out = os.dup2(to_child_r, 200), os.dup2(from_child_w, 201)
            os.dup2(high_in, 3)     # via high numbers: the pipes may themselves be 3 or 4
            os.dup2(high_out, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds, close_fds=False)   # close_fds would close 3 and 4 again
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
        for fd in (self._to_child, self._from_child):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, timeout_s: float = 60,
             **params) -> dict:
        """Send a command and return its result; events seen meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout_s: float = 60) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._read_message(deadline))


def render(binary: str, url: str, expressions: dict[str, str]) -> PageResult:
    """Open `url`, wait for its load event, evaluate `expressions` (name: JavaScript returning
    a JSON value), take a full-page screenshot; console errors and exceptions collected."""
    browser = Chromium(binary)
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target,
                               flatten=True)["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            browser.send(domain, session)
        browser.send("Page.navigate", session, url=url)
        browser.wait_event("Page.loadEventFired")
        result = PageResult()
        for name, js in expressions.items():
            out = browser.send("Runtime.evaluate", session, expression=js, returnByValue=True)
            result.values[name] = out.get("result", {}).get("value")
        shot = browser.send("Page.captureScreenshot", session, format="png",
                            captureBeyondViewport=True)
        result.screenshot_png = base64.b64decode(shot["data"])
        result.console_errors = _errors(browser.events)
        return result
    finally:
        browser.close()


def _errors(events: list[dict]) -> list[str]:
    out = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            out.append(str(params.get("exceptionDetails", {}).get("text")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            out.append(json.dumps(params.get("args")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            out.append(str(params["entry"].get("text")))
    return out


def file_url(path: Path) -> str:
    return Path(path).resolve().as_uri()
