"""Command-line options shared by the commands that play a simulated marketplace."""

from __future__ import annotations

from django.core.management.base import CommandParser


def world_arguments(parser: CommandParser, *, days: int, sellers: int, buyers: int, seed: int) -> None:
    """The size of the world a command plays (``Options.days``, ``sellers``, ``buyers``, ``seed``),
    with that command's defaults."""
    parser.add_argument("--days", type=int, default=days, help=f"Days of marketplace to play (default {days}).")
    parser.add_argument("--sellers", type=int, default=sellers, help=f"Sellers in the world (default {sellers}).")
    parser.add_argument("--buyers", type=int, default=buyers, help=f"Buyers in the world (default {buyers}).")
    parser.add_argument("--seed", type=int, default=seed, help=f"Random seed (default {seed}).")
