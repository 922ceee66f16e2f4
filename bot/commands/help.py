"""`/papers help`: every subcommand from the registry, or one with its usage and examples."""

from __future__ import annotations

from bot.commands.registry import Arg, Call, Suggest, command
from bot.models import Reply
from bot.rich import Inline, bold, code, concat, fmt, lines


@command(
    name="help",
    usage="/papers help [command]",
    summary="Show what I can do.",
    brief="What PaperBot can do here",
    args=(Arg("command", help="explain one command", required=False, suggest=Suggest.SUBCOMMANDS),),
    aliases=("?",),
)
def help_command(call: Call) -> Reply:
    spec = call.registry.resolve(call.rest.strip())
    if spec is not None:
        shown: list[Inline] = [code(spec.usage), spec.summary]
        if spec.examples:
            shown += ["Examples:", *(concat("• ", code(e)) for e in spec.examples)]
        return Reply(lines(shown))
    listing: list[Inline] = [
        concat(
            bold("PaperBot"),
            " posts a daily digest of new papers for this channel and learns from 👍/👎.",
        )
    ]
    listing += [fmt("• {} — {}", code(s.usage), s.summary) for s in call.registry]
    listing.append(
        fmt(
            "Anyone can read, search and ask why; changing the channel (its topics, "
            "schedule, options, {}) is for admins, its managers and whoever set it up ({}).",
            code("now"),
            code("/papers managers"),
        )
    )
    return Reply(lines(listing))
