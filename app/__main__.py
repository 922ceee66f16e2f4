"""`python -m app` starts the CLI."""

from app.cli.main import main

if __name__ == "__main__":
    main()
