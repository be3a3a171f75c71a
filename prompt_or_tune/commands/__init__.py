"""CLI subcommands; see prompt_or_tune.cli."""
