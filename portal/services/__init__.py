"""The rules of the portal as plain typed functions, without Flask."""
