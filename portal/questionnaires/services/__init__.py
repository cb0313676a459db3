"""Forms as plain functions (no Flask): definitions from YAML, answering and submitting, screens, charts."""
