"""Fixtures for the extension in real headless Chromium against the real local stack.

One FakeArxiv (behind a TLS tunnel so that https://arxiv.org/... resolves to it), one local
stack (`python -m infra.local`) and one browser context with the unpacked extension serve a
whole test module: starting them takes seconds, each test only opens pages.
"""

from __future__ import annotations

import datetime as dt
import os
import selectors
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.fake_arxiv import FakeArxiv

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "extension"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(os.environ.get("RONBUN_CHROMIUM", "/usr/lib/chromium/chromium"))
STACK_START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A port nothing listens on (for "network down")."""
    return free_port()


# ----------------------------------------------------------------------------- TLS in front of FakeArxiv

def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for arxiv.org (the browser runs with ignore_https_errors)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "arxiv.org")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("arxiv.org"), x509.DNSName("www.arxiv.org")]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = directory / "arxiv.pem", directory / "arxiv.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


class TlsTunnel:
    """Terminates TLS on 127.0.0.1:port and relays the bytes to a plain-HTTP server."""

    def __init__(self, target_port: int, certfile: Path, keyfile: Path):
        self.target_port = target_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certfile, keyfile)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stopped = False
        threading.Thread(target=self._accept, name="tls-tunnel", daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            tls = self.context.wrap_socket(conn, server_side=True)
            up = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        sel = selectors.DefaultSelector()
        sel.register(tls, selectors.EVENT_READ, up)
        sel.register(up, selectors.EVENT_READ, tls)
        try:
            while not self._stopped:
                events = sel.select(timeout=30)
                if not events:
                    return
                for key, _ in events:
                    src, dst = key.fileobj, key.data
                    chunk = src.recv(65536)
                    if not chunk:
                        return
                    dst.sendall(chunk)
                    while src is tls and tls.pending():
                        dst.sendall(tls.recv(65536))
        except (OSError, ssl.SSLError):
            return
        finally:
            sel.close()
            for s in (tls, up):
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self) -> None:
        self._stopped = True
        self.listener.close()


# ----------------------------------------------------------------------------- the local stack

@dataclass
class Stack:
    """A running `python -m infra.local` process."""
    url: str
    proc: subprocess.Popen
    lines: list[str]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_stack(arxiv: FakeArxiv, *, api_key: str | None = None, env: dict[str, str] | None = None) -> Stack:
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "RONBUN_ENGINE", "RONBUN_API_KEY")}
    full_env.update(RONBUN_ARXIV_API_URL=arxiv.api_url, RONBUN_ARXIV_BASE_URL=arxiv.url,
                    RONBUN_ARXIV_MIN_INTERVAL="0", PYTHONUNBUFFERED="1")
    if api_key:
        full_env["RONBUN_API_KEY"] = api_key
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "infra.local", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("ready http"):
                ready.set()

    threading.Thread(target=drain, name="stack-output", daemon=True).start()
    deadline = time.monotonic() + STACK_START_TIMEOUT
    while not ready.wait(0.1):
        if proc.poll() is not None or time.monotonic() > deadline:
            stack = Stack("", proc, lines)
            stack.stop()
            raise RuntimeError("local stack did not start:\n" + "\n".join(lines[-40:]))
    url = next(line.split()[1] for line in lines if line.startswith("ready http"))
    return Stack(url, proc, lines)


# ----------------------------------------------------------------------------- the browser

@dataclass
class Browser:
    """One Chromium with the unpacked extension, and the handles tests need."""
    ctx: object
    ext_id: str
    cdp: object

    @property
    def options_url(self) -> str:
        return f"chrome-extension://{self.ext_id}/options.html"

    def extension_page(self, path: str = "options.html"):
        page = self.ctx.new_page()
        page.goto(f"chrome-extension://{self.ext_id}/{path}")
        return page

    def configure(self, api_base_url: str, api_key: str = "") -> None:
        """Store the extension's settings (as the options page would). No options tab stays
        open: chrome.runtime.openOptionsPage() would focus it instead of opening one."""
        page = self.extension_page()
        try:
            page.evaluate("([b, k]) => chrome.storage.local.set({apiBaseUrl: b, apiKey: k})", [api_base_url, api_key])
        finally:
            page.close()

    def stored_settings(self) -> dict:
        page = self.extension_page()
        try:
            return page.evaluate("() => chrome.storage.local.get(['apiBaseUrl', 'apiKey'])")
        finally:
            page.close()

    def open_paper(self, ref: str, kind: str = "abs"):
        page = self.ctx.new_page()
        page.goto(f"https://arxiv.org/{kind}/{ref}", wait_until="domcontentloaded")
        return page

    def click_toolbar(self, url_part: str) -> None:
        """The toolbar icon, clicked for the tab whose URL contains url_part."""
        targets = self.cdp.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
        tab = next(t for t in targets if t["type"] == "tab" and url_part in t["url"])
        self.cdp.send("Extensions.triggerAction", {"id": self.ext_id, "targetId": tab["targetId"]})

    def worker_targets(self) -> list[dict]:
        targets = self.cdp.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
        return [t for t in targets if t["type"] == "service_worker" and self.ext_id in t["url"]]

    def stop_service_worker(self, timeout_s: float = 5.0) -> bool:
        """Force the extension's service worker to stop (as Chrome does when it is idle).
        True when Chrome reported it stopped (a poll may wake it again right after)."""
        page = self.extension_page()
        session = self.ctx.new_cdp_session(page)
        statuses: list[str] = []

        def on_version(event: dict) -> None:
            statuses.extend(v.get("runningStatus", "") for v in event.get("versions", []))

        session.on("ServiceWorker.workerVersionUpdated", on_version)
        try:
            session.send("ServiceWorker.enable")
            session.send("ServiceWorker.stopAllWorkers")
            deadline = time.monotonic() + timeout_s
            while "stopped" not in statuses and time.monotonic() < deadline:
                page.wait_for_timeout(50)
        finally:
            session.detach()
            page.close()
        return "stopped" in statuses


def launch_browser(playwright, user_data_dir: Path, arxiv_port: int) -> Browser:
    ctx = playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=str(CHROMIUM),
        headless=True,
        ignore_https_errors=True,
        locale="ja-JP",
        viewport={"width": 1280, "height": 860},
        args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}",
              f"--host-resolver-rules=MAP arxiv.org 127.0.0.1:{arxiv_port}, MAP www.arxiv.org 127.0.0.1:{arxiv_port}",
              f"--ip-address-space-overrides=127.0.0.1:{arxiv_port}=public"])
    sw = ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker", timeout=15000)
    ext_id = sw.url.split("/")[2]
    return Browser(ctx, ext_id, ctx.browser.new_browser_cdp_session())


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def arxiv():
    """FakeArxiv over plain HTTP (for the stack) and TLS (for the browser, as arxiv.org)."""
    fake = FakeArxiv().start()
    certs = Path(tempfile.mkdtemp(prefix="ronbun-certs-"))
    tunnel = TlsTunnel(fake.port, *_self_signed(certs))
    fake.tls_port = tunnel.port
    yield fake
    tunnel.stop()
    fake.stop()
    shutil.rmtree(certs, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(arxiv):
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (make install-browser)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="ronbun-chromium-"))
    pw = sync_playwright().start()
    b = launch_browser(pw, profile, arxiv.tls_port)
    try:
        yield b
    finally:
        b.ctx.close()
        pw.stop()
        shutil.rmtree(profile, ignore_errors=True)
