"""Per-host state and dispatch: the one place of concurrency primitives and politeness."""
