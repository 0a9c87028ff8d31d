"""The shared core: clock, money, validation, API keys, change counters, periodic jobs,
health, the marketplace rules and the process-wide state registry. Imports no app."""
