"""A lab's reference library (BibTeX, RIS, Zotero CSV) imported as a channel's liked papers."""
