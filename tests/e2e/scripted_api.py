"""A small fake Ronbun API for browser tests of the overlay's views: a real HTTP server on
127.0.0.1 that answers `GET /v1/summaries/{id}` with a scripted sequence of state documents.
The test moves a paper to its next state (`advance`), so what the overlay sees is decided by the
test, not by a clock. POST answers 200 when the current state is done, 202 otherwise.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedApi:
    def __init__(self) -> None:
        self.scripts: dict[str, list[dict]] = {}
        self.position: dict[str, int] = {}
        self.gets: dict[str, int] = {}
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/v1/health":
                    return self._send(200, {"status": "ok"})
                prefix = "/v1/summaries/"
                paper_id = self.path[len(prefix):].split("?")[0] if self.path.startswith(prefix) else ""
                state = api.current(paper_id, count=True)
                if state is None:
                    return self._send(404, {"error": {"code": "not_found", "message": "not requested",
                                                      "message_ja": "この論文の要約はまだリクエストされていません。"}})
                self._send(200, state)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                state = api.current(str(body.get("paper_id", "")))
                if state is None:
                    return self._send(400, {"error": {"code": "invalid_paper_id", "message": "unknown",
                                                      "message_ja": "この論文は見つかりません。"}})
                self._send(200 if state.get("status") == "done" else 202, state)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "ScriptedApi":
        threading.Thread(target=self.server.serve_forever, name="scripted-api", daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, paper_id: str, states: list[dict]) -> None:
        with self.lock:
            self.scripts[paper_id] = states
            self.position[paper_id] = 0
            self.gets[paper_id] = 0

    def advance(self, paper_id: str) -> dict:
        """Move the paper to its next state; returns that state."""
        with self.lock:
            self.position[paper_id] = min(self.position[paper_id] + 1, len(self.scripts[paper_id]) - 1)
            self.gets[paper_id] = 0
            return self.scripts[paper_id][self.position[paper_id]]

    def polled_since_advance(self, paper_id: str) -> int:
        with self.lock:
            return self.gets.get(paper_id, 0)

    def current(self, paper_id: str, *, count: bool = False) -> dict | None:
        with self.lock:
            if paper_id not in self.scripts:
                return None
            if count:
                self.gets[paper_id] += 1
            return self.scripts[paper_id][self.position[paper_id]]
