"""`python -m bot` starts the CLI."""

from bot.cli import main

if __name__ == "__main__":
    main()
