"""Console I/O: print digests, and append each posted paper to CONSOLE_OUTBOX as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from adapters.console.render import header_text, item_lines
from bot.content.links import paper_links
from bot.content.reasons import reason_lines
from bot.models import Channel, Digest, DigestItem, Platform


class ConsoleAdapter:
    platform = Platform.CONSOLE

    def __init__(self, out: TextIO, outbox: Path | None = None) -> None:
        self.out = out
        self.outbox = outbox

    def post_header(self, channel: Channel, digest: Digest) -> str | None:
        day = digest.created_at.strftime("%a %d %b") if digest.created_at else digest.run_key
        self.out.write("\n" + header_text(channel, digest, day) + "\n")
        self.out.flush()
        return f"console-{digest.id}-header"

    def post_item(self, channel: Channel, digest: Digest, item: DigestItem) -> str:
        message_id = f"console-{digest.id}-{item.rank}"
        self.out.write("\n".join(item_lines(item)) + "\n")
        self.out.flush()
        if self.outbox is not None:
            record = {
                "channel": str(channel.ref),
                "channel_id": channel.id,
                "digest_id": digest.id,
                "paper_id": item.paper.id,
                "title": item.paper.title,
                "url": item.paper.abs_url,
                "tldr": item.tldr,
                "reasons": [r.text for r in item.reasons],
                "why": list(reason_lines(item.reasons, item.paper)),
                "links": [{"label": label, "url": url} for label, url in paper_links(item.paper)],
                "score": item.score,
                "rank": item.rank,
                "message_id": message_id,
            }
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.outbox.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return message_id

    def find_item_message(self, channel: Channel, digest: Digest, item: DigestItem) -> str | None:
        """The outbox is the console's channel history: look the item up after a crash."""
        if self.outbox is None or not self.outbox.exists():
            return None
        with self.outbox.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by the crash
                if record.get("digest_id") == digest.id and record.get("paper_id") == item.paper.id:
                    return str(record["message_id"])
        return None

    def post_notice(self, channel: Channel, text: str) -> str | None:
        self.out.write(f"[#{channel.name}] {text}\n")
        self.out.flush()
        return None
