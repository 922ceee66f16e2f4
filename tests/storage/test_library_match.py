"""Library entries matched to stored papers by arXiv id, DOI and title, on SQLite and PG."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from bot.library.entries import LibraryEntry
from bot.library.formats import read_library
from bot.library.matcher import LibraryMatcher
from bot.library.titles import title_key
from storage.db import alembic_config, make_engine, migrate
from storage.store import SqlStore
from tests.conftest import make_paper
from tests.library_data import LIBRARY, stored_papers

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def matched(store: SqlStore, entries: list[LibraryEntry]) -> list[tuple[str | None, str | None]]:
    return [(o.paper.id if o.paper else None, o.how) for o in LibraryMatcher(store).match(entries)]


def test_store_lookups_by_doi_and_title(store: SqlStore) -> None:
    store.upsert_papers(
        [*stored_papers(), make_paper("doi:10.1101/2026.01.02.123", "A bioRxiv paper")], T0
    )
    found = store.papers_by_doi(
        ["10.1109/iccv51701.2025.01705", "10.1101/2026.01.02.123", "10.9/x"]
    )
    assert {k: p.id for k, p in found.items()} == {
        "10.1109/iccv51701.2025.01705": "2503.15457",
        "10.1101/2026.01.02.123": "doi:10.1101/2026.01.02.123",
    }
    key = title_key("Robot Manipulation with Diffusion Policies.")
    assert [p.id for p in store.papers_by_title_key([key])[key]] == ["2606.00012"]
    prefix = store.papers_by_title_prefix("robot manipulati", 10)
    assert [p.id for p in prefix] == ["2606.00012"]
    assert store.papers_by_title_prefix("robot%", 10) == []  # not a key: no LIKE wildcards


def test_title_key_follows_a_changed_title(store: SqlStore) -> None:
    paper = make_paper("2606.00020", "A first title for a paper", version=1)
    store.upsert_papers([paper], T0)
    store.upsert_papers([replace(paper, title="A second title, in v2", version=2)], T0)
    assert store.papers_by_title_key([title_key("a first title for a paper")]) == {}
    assert list(store.papers_by_title_key([title_key("A second title in v2")])) == [
        "a second title in v2"
    ]


def test_recorded_bibtex_matches_by_id_doi_and_title(store: SqlStore) -> None:
    store.upsert_papers(stored_papers(), T0)
    _, entries = read_library("zotero.bib", (LIBRARY / "zotero.bib").read_bytes())
    outcomes = LibraryMatcher(store).match(entries)  # no arXiv look-up: 2104.12255 stays out
    assert [(o.paper.id if o.paper else None, o.how) for o in outcomes] == [
        (None, None),
        ("2503.12461", "arxiv"),
        ("2503.15457", "doi"),  # the ICCV DOI, carried by the arXiv paper
        ("2503.15879", "arxiv"),  # 10.48550/ARXIV.2503.15879
        ("2606.00011", "title"),  # braces, \emph and {\"o} normalised away
        (None, None),
    ]
    assert outcomes[0].reason == "arXiv has no paper 2104.12255"
    assert outcomes[5].reason == (
        "DOI 10.1038/nature14539 is not an arXiv paper I know, and no paper I know has this title"
    )


def test_fuzzy_title_never_picks_between_two_papers(store: SqlStore) -> None:
    store.upsert_papers(
        [
            make_paper("2606.00031", "Scaling laws for dexterous robot manipulation"),
            make_paper("2606.00032", "Scaling laws for dexterous robot manipulation II"),
            make_paper("2606.00033", "Diffusion policies for legged locomotion on rough terrain"),
            make_paper("2606.00034", "Diffusion policies for legged locomotion on rough terrains"),
            make_paper("2606.00035", "Attention"),
        ],
        T0,
    )
    entries = [
        LibraryEntry("Scaling Laws for Dexterous Robot Manipulaton"),  # typo: one paper close
        LibraryEntry("Scaling laws for dexterous robot manipulation III"),  # numbers differ
        LibraryEntry("Diffusion policies for legged locomotion on rough terain"),  # two close
        LibraryEntry("Attention"),  # too short to match by title
    ]
    assert matched(store, entries) == [
        ("2606.00031", "similar title"),
        (None, None),
        (None, None),
        (None, None),
    ]
    reasons = [o.reason for o in LibraryMatcher(store).match(entries)]
    assert reasons[3] == "no arXiv id or DOI, and the title is too short to match on its own"


def test_two_stored_papers_with_one_title_are_ambiguous(store: SqlStore) -> None:
    store.upsert_papers(
        [
            make_paper("2606.00041", "Neural fields revisited"),
            make_paper("doi:10.5/x", "Neural Fields, Revisited"),
        ],
        T0,
    )
    (outcome,) = LibraryMatcher(store).match([LibraryEntry("Neural fields revisited")])
    assert outcome.paper is None and outcome.reason is not None and "2 papers" in outcome.reason


def test_migration_0015_keys_papers_stored_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    command.downgrade(alembic_config(engine), "0014_app_secret")
    assert "title_key" not in {c["name"] for c in inspect(engine).get_columns("paper")}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO paper (id, title, abstract, authors, categories, sources, keywords,"
                " first_seen_at, updated_at) VALUES ('2606.00050', :t, '', '[]', '[]', '[]',"
                " '[]', :now, :now)"
            ),
            {"t": r"{L}earning to {G}rasp with \emph{Tactile} Sensing", "now": T0},
        )
    migrate(engine)
    engine.dispose()
    s = SqlStore.open(db_url)
    try:
        found = s.papers_by_title_key(["learning to grasp with tactile sensing"])
        assert [p.id for p in found["learning to grasp with tactile sensing"]] == ["2606.00050"]
    finally:
        s.close()


def test_add_interests_adds_each_seed_once_in_one_go(store: SqlStore) -> None:
    from bot.models import ChannelRef, ChannelSettings, Interest, InterestKind, Platform

    channel = store.add_channel(
        ChannelRef(Platform.CONSOLE, "local", "lab"), "lab", ChannelSettings(), now=T0
    )
    seeds = [Interest(InterestKind.SEED, pid) for pid in ("2606.00001", "2606.00002")]
    assert store.add_interest(channel.id, seeds[0], now=T0)
    assert store.add_interests(channel.id, [*seeds, seeds[1]], now=T0) == 1
    assert store.get_channel(channel.id).interest_values(InterestKind.SEED) == (
        "2606.00001",
        "2606.00002",
    )
    assert store.add_interests(channel.id, seeds, now=T0) == 0
