"""Every category of arXiv's official taxonomy (https://arxiv.org/category_taxonomy), so a
channel cannot follow `cs.XX` and silently match nothing; `suggest` offers the closest codes.

Whole archives (`cs`, `q-bio`, `astro-ph`) are accepted too: an interest in an archive
matches every category in it. Aliases arXiv still lists (`math.IT` = `cs.IT`, `math.MP` =
`math-ph`, `math.ST` = `stat.TH`, `cs.SY` = `eess.SY`, `math.NA` = `cs.NA`, `q-fin.EC` =
`econ.GN`, `cs.NA`) are categories in their own right here, as on arXiv.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

_GROUPED: dict[str, str] = {
    "cs": (
        "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS "
        "NA NE NI OH OS PF PL RO SC SD SE SI SY"
    ),
    "econ": "EM GN TH",
    "eess": "AS IV SP SY",
    "math": (
        "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA "
        "RA RT SG SP ST"
    ),
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "nlin": "AO CD CG PS SI",
    "physics": (
        "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph "
        "flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph"
    ),
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "stat": "AP CO ME ML OT TH",
}
# Archives that are one category each.
_SINGLE = (
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math-ph",
    "nucl-ex",
    "nucl-th",
    "quant-ph",
)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """Lower-cased code -> the code as arXiv writes it (`cs.ro` -> `cs.RO`)."""
    codes = [*_SINGLE, *_GROUPED]
    codes += [f"{archive}.{sub}" for archive, subs in _GROUPED.items() for sub in subs.split()]
    return {c.lower(): c for c in codes}


def all_categories() -> tuple[str, ...]:
    """Every category code (archives with subjects are listed by their subjects only)."""
    return tuple(c for c in _codes().values() if "." in c or c in _SINGLE)


def canonical(code: str) -> str | None:
    """The code as arXiv writes it (`CS.ro` -> `cs.RO`), or None if it is not a category."""
    return _codes().get(code.strip().lower())


def is_category(code: str) -> bool:
    """Whether `code` (any case) is an arXiv category or archive."""
    return canonical(code) is not None


def suggest(code: str, n: int = 3) -> list[str]:
    """The closest real codes to a mistyped one (`cs.RB` -> [`cs.RO`, ...]), best first."""
    codes = _codes()
    key = code.strip().lower()
    sub = key.rsplit(".", 1)[-1]
    same_subject = [k for k in codes if "." in key and k.endswith(f".{sub}")]  # cs.ML: stat.ML
    close = difflib.get_close_matches(key, list(codes), n=n, cutoff=0.6)
    ranked = list(dict.fromkeys([*same_subject, *close]))[:n]
    return [codes[k] for k in ranked]
