"""National content as plain functions (no Flask): reading the pack from files, and the versions in the database."""
