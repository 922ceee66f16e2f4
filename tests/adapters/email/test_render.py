"""Pure rendering of a digest email: both parts, headers, escaped text, signed links."""

from __future__ import annotations

from email import message_from_bytes, policy

from adapters.email.links import read_unsubscribe, read_vote
from adapters.email.render import message_id_header, render_email
from tests.adapters.email.sample import (
    HOSTILE_TITLES,
    KEY,
    NOW,
    PUBLIC,
    SENDER,
    email_channel,
    hostile_digest,
    parts,
    read_html,
    signer,
)


def render() -> object:
    return render_email(email_channel(), hostile_digest(), sender=SENDER, links=signer())


def test_headers_list_unsubscribe_and_a_stable_message_id() -> None:
    msg = render_email(email_channel(), hostile_digest(), sender=SENDER, links=signer())
    again = render_email(email_channel(), hostile_digest(), sender=SENDER, links=signer())
    assert msg["Message-ID"] == again["Message-ID"] == "<paperbot.digest-11.channel-3@lab.org>"
    assert message_id_header(email_channel(), hostile_digest(12), SENDER) != msg["Message-ID"]
    assert msg["To"] == "reading-group@lab.org" and msg["From"] == SENDER
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = msg.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    https, mailto = (v.strip().strip("<>") for v in str(parsed["List-Unsubscribe"]).split(","))
    assert https.startswith(f"{PUBLIC}/u/")
    assert read_unsubscribe(KEY, https.rsplit("/", 1)[1], NOW).address == "reading-group@lab.org"
    assert mailto == "mailto:paperbot@lab.org?subject=unsubscribe%20reading-group%40lab.org"
    assert f"List-Unsubscribe: <{https}>, <{mailto}>\r\n".encode() in raw  # one plain line
    assert msg.get_content_type() == "multipart/alternative"


def test_hostile_titles_are_text_not_markup() -> None:
    text, html = parts(render())
    page = read_html(html)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert "i" not in page.tags
    hrefs = [href for _, href, _ in page.links]
    assert not any("evil.example" in h or h.startswith("javascript:") for h in hrefs)
    assert all(h.startswith("https://") for h in hrefs)
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;Robot grasping" in html
    for title in HOSTILE_TITLES:  # the plain-text part says exactly what the feed said
        assert title in text


def test_each_paper_has_title_link_authors_tldr_why_and_signed_votes() -> None:
    text, html = parts(render())
    links = read_html(html).links
    titles = [(href, label) for cls, href, label in links if cls == "title"]
    assert titles[0] == ("https://arxiv.org/abs/2606.00001", HOSTILE_TITLES[0])
    assert len(titles) == 3  # paper 2's javascript: URL is no link at all
    ups = [href for cls, href, _ in links if cls == "vote-up"]
    downs = [href for cls, href, _ in links if cls == "vote-down"]
    assert len(ups) == len(downs) == 4
    for rank, (up, down) in enumerate(zip(ups, downs, strict=True), start=1):
        vote = read_vote(KEY, up.removeprefix(f"{PUBLIC}/r/"), NOW)
        assert (vote.channel_id, vote.message_id, vote.emoji) == (3, f"mail-11-{rank}", "+1")
        assert read_vote(KEY, down.removeprefix(f"{PUBLIC}/r/"), NOW).emoji == "-1"
        assert f"More like this: {up}" in text and f"Less like this: {down}" in text
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;, Alan Turing" in html
    assert "TL;DR:</strong> We &lt;i&gt;propose&lt;/i&gt;" in html
    assert html.count("matches “robot”") == 4 and text.count("Why: matches “robot”") == 4
    assert [cls for cls, _, _ in links].count("unsubscribe") == 1
