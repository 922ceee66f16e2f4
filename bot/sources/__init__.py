"""Paper sources: files, the bundled sample, arXiv feeds and API, HF Daily Papers, RSS."""
