"""ecsta tests (trial)."""
