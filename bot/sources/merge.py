"""Merging two records of the same work (two sources, or two versions) into one `Paper`."""

from __future__ import annotations

from dataclasses import fields, replace

from bot.models import Paper

# Fields where the newer non-empty value wins (a later version, fresher HF counts).
_NEWER_WINS = {
    "upvotes",
    "code_stars",
    "announce_type",
    "version",
    "updated",
    "comments",
    "hf_comments",
}
# Announce types of a new version of an older paper: such a paper is never "new".
REPLACED = frozenset({"replace", "replace-cross"})
# Fields unioned in order.
_UNION = {"sources", "categories", "keywords"}


def merge_papers(old: Paper, new: Paper) -> Paper:
    """Merge `new` into `old`: keep what `old` knew, fill gaps, take fresher counts and versions.

    arXiv metadata (title, abstract, authors, categories) from an arXiv source is preferred over
    another source's copy; a newer version updates title and abstract.
    """
    if old.id != new.id:
        raise ValueError(f"cannot merge different works {old.id} and {new.id}")
    newer_version = (new.version or 0) > (old.version or 0)
    new_is_arxiv = any(s.startswith("arxiv") for s in new.sources)
    old_is_arxiv = any(s.startswith("arxiv") for s in old.sources)
    changes: dict[str, object] = {}
    for f in fields(Paper):
        name = f.name
        if name == "id":
            continue
        a, b = getattr(old, name), getattr(new, name)
        if name in _UNION:
            merged = tuple(dict.fromkeys((*a, *b)))
            if merged != a:
                changes[name] = merged
        elif name == "version":
            if b is not None and (a is None or b > a):
                changes[name] = b
        elif name == "published":
            if b is not None and (a is None or b < a):
                changes[name] = b
        elif name in {"title", "abstract", "authors", "primary_category"}:
            prefer_new = newer_version or (new_is_arxiv and not old_is_arxiv)
            if b and (not a or prefer_new) and b != a:
                changes[name] = b
        elif name == "announce_type":
            # The type a work was first announced with: a later "replace" never changes it, so
            # a paper first seen as new (or through HF, or the API) stays a digest candidate,
            # and one first seen through a "replace" stays out of digests (see Store).
            if b and not a and b not in REPLACED:
                changes[name] = b
        elif name in _NEWER_WINS:
            if b is not None and b != a and b != "":
                changes[name] = b
        elif (a is None or a == "" or a == ()) and b not in (None, "", ()):
            changes[name] = b
    return replace(old, **changes) if changes else old  # type: ignore[arg-type]
