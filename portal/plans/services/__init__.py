"""The rules of care plans as plain functions (no Flask): reading plans, the timeline, building and changing a plan,
its reading, and whether a relative's delegation may be used now."""
