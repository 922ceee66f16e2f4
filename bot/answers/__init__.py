"""Questions in a paper's thread, answered from the paper's own text (abstract, arXiv HTML)."""

from __future__ import annotations

from bot.answers.models import Answer, Passage, Question
from bot.answers.service import ThreadQuestions

__all__ = ["Answer", "Passage", "Question", "ThreadQuestions"]
