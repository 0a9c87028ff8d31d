"""Development tooling: the marketplace simulator, the benchmarks, demo data, screenshots and
the browser finder. Installed only where the environment asks for it
(CLOSETADS_DEV_TOOLS, on unless production); no production module imports it."""
