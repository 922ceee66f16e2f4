"""Fan-out benchmark: digests to N channels through a fake chat API limited to 1 msg/s/channel.

    .venv/bin/python benchmarks/fanout.py                      # 1,000 channels, 1 and 4 workers
    .venv/bin/python benchmarks/fanout.py --channels 200 --workers 1,2

A local HTTP server on 127.0.0.1 plays the chat platform: it accepts one message per second per
channel and answers faster posts with 429 and `Retry-After: 1` (as Slack does). Worker
processes share one PostgreSQL database (a fresh schema, dropped afterwards) and run the real
worker: claim due channels, build each digest, post header + papers, defer a channel that hit
the rate limit and move on to the next one. The server counts duplicates by idempotency key.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.digest.worker import Worker  # noqa: E402
from bot.errors import ChannelUnavailable, DeliveryError, RateLimited  # noqa: E402
from bot.models import (  # noqa: E402
    Channel,
    Digest,
    DigestItem,
    Platform,
    Threshold,
)
from bot.service import PaperBot  # noqa: E402
from bot.sources.sample import load_sample  # noqa: E402
from storage.store import SqlStore  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOPICS = (
    "language models",
    "image segmentation",
    "reinforcement learning",
    "graph neural networks",
    "speech recognition",
    "robot manipulation",
    "diffusion models",
    "retrieval-augmented generation",
    "federated learning",
    "object detection",
)


# ----------------------------------------------------------------------------- fake chat API
@dataclass
class ChatState:
    per_second: float = 1.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: dict[str, float] = field(default_factory=dict)
    keys: Counter[str] = field(default_factory=Counter)
    accepted: int = 0
    rejected: int = 0
    first: float | None = None
    final: float | None = None


def make_handler(state: ChatState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # one small response per request: no delayed-ACK stalls

        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: dict[str, object], **headers: str) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            channel, key = str(payload["channel"]), str(payload["key"])
            now = time.monotonic()
            with state.lock:
                wait = state.last.get(channel, -1e9) + 1 / state.per_second - now
                if wait > 0:
                    state.rejected += 1
                    retry = str(max(1, math.ceil(wait)))
                else:
                    state.last[channel] = now
                    state.keys[key] += 1
                    state.accepted += 1
                    state.first = state.first or now
                    state.final = now
                    ts = f"{now:.6f}"
                    retry = ""
            if retry:
                self._reply(429, {"ok": False, "error": "ratelimited"}, **{"Retry-After": retry})
            else:
                self._reply(200, {"ok": True, "ts": ts})

    return Handler


class FakeChatAdapter:
    """Posts to the fake chat API; 429 -> RateLimited(Retry-After), like a real adapter."""

    platform = Platform.CONSOLE

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=10)

    def _post(self, channel: Channel, key: str) -> str:
        try:
            response = self.client.post(
                "/chat.postMessage", json={"channel": channel.ref.channel, "key": key}
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"chat API unreachable: {exc}") from exc
        if response.status_code == 429:
            raise RateLimited(float(response.headers.get("Retry-After", "1")))
        if response.status_code == 404:
            raise ChannelUnavailable("channel_not_found")
        if response.status_code != 200:
            raise DeliveryError(f"chat API answered {response.status_code}")
        return str(response.json()["ts"])

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        return self._post(channel, f"{digest.id}:header")

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        return self._post(channel, f"{channel.ref.channel}:{item.paper.id}")

    def post_notice(self, channel: Channel, text: str) -> str | None:
        return self._post(channel, f"{channel.ref.channel}:notice")


# ------------------------------------------------------------------------------- workers
def settings_for(url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        claim_batch_size=20,
        claim_lease_seconds=120,
        log_level="WARNING",
    )


def worker_main(url: str, api: str, worker_id: str, horizon: float) -> None:
    store = SqlStore.open(url, migrate_schema=False)
    settings = settings_for(url)
    core = PaperBot(store, SystemClock(), settings, {Platform.CONSOLE: FakeChatAdapter(api)})
    worker = Worker(core, worker_id=worker_id)
    clock = core.clock
    while True:
        worker.drain(max_seconds=5, sleep=time.sleep)
        due = store.next_due_at()
        if due is None or due > clock.now() + timedelta(seconds=horizon):
            break
        time.sleep(0.05)
    store.close()


def seed(url: str, channels: int, papers: int) -> None:
    store = SqlStore.open(url)
    now = datetime.now(UTC)
    sample = load_sample().papers[:papers]
    store.upsert_papers(sample, now)
    due = now.replace(second=0, microsecond=0)  # the daily slot that just passed: due now
    at = f"{due:%H:%M}"
    with store.engine.begin() as conn:
        for i in range(channels):
            conn.execute(
                text(
                    "INSERT INTO channel (platform, workspace, external_id, name, size, threshold,"
                    " schedule_time, timezone, days, paused, announce_empty, thread_mode,"
                    " follow_authors, created_at, next_run_at)"
                    " VALUES ('console', 'bench', :ext, :ext, 3, :thr, :at, 'UTC',"
                    " '0,1,2,3,4,5,6', false, false, false, true, :now, :due)"
                ),
                {"ext": f"c{i}", "thr": Threshold.LOW.value, "now": now, "due": due, "at": at},
            )
            conn.execute(
                text(
                    "INSERT INTO interest (channel_id, kind, value, norm, created_at)"
                    " SELECT id, 'topic', :topic, :topic, :now FROM channel WHERE external_id = :ext"
                ),
                {"topic": TOPICS[i % len(TOPICS)], "ext": f"c{i}", "now": now},
            )
    store.close()


def run_once(base_url: str, channels: int, workers: int, papers: int) -> dict[str, object]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    url = f"{base_url}{sep}options=-csearch_path%3D{schema}"
    state = ChatState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        seed(url, channels, papers)
        ctx = mp.get_context("spawn")
        started = time.perf_counter()
        procs = [
            ctx.Process(target=worker_main, args=(url, api, f"bench-{w}", 600.0))
            for w in range(workers)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - started
        store = SqlStore.open(url, migrate_schema=False)
        expected_items = sum(
            len(d.items) for c in store.list_channels() for d in store.recent_digests(c.id, 5)
        )
        unfinished = len(store.unfinished_digests())
        store.close()
    finally:
        server.shutdown()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    item_keys = {k: n for k, n in state.keys.items() if not k.endswith(":header")}
    return {
        "channels": channels,
        "workers": workers,
        "seconds": round(elapsed, 1),
        "post_span_seconds": round((state.final or 0) - (state.first or 0), 1),
        "messages": state.accepted,
        "papers_posted": sum(item_keys.values()),
        "papers_expected": expected_items,
        "duplicates": sum(n - 1 for n in state.keys.values() if n > 1),
        "rate_limited_429": state.rejected,
        "unfinished_digests": unfinished,
        "exit_codes": [p.exitcode for p in procs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--workers", default="1,4", help="comma-separated worker counts")
    parser.add_argument("--papers", type=int, default=60, help="papers ingested before the run")
    parser.add_argument("--db", default=DEFAULT_PG, help="PostgreSQL URL (a schema is created)")
    args = parser.parse_args()
    rows = []
    for workers in (int(w) for w in args.workers.split(",")):
        row = run_once(args.db, args.channels, workers, args.papers)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print(
        f"{'workers':>7} {'channels':>8} {'seconds':>8} {'messages':>8} {'papers':>7} "
        f"{'429s':>6} {'dups':>5}  msg/s"
    )
    for r in rows:
        rate = r["messages"] / r["seconds"] if r["seconds"] else 0.0  # type: ignore[operator]
        print(
            f"{r['workers']:>7} {r['channels']:>8} {r['seconds']:>8} {r['messages']:>8} "
            f"{r['papers_posted']:>7} {r['rate_limited_429']:>6} {r['duplicates']:>5}  {rate:.0f}"
        )
    if any(r["duplicates"] or r["unfinished_digests"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
