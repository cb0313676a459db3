"""Rules every feature shares and that need no web request: time in Sweden, personal numbers, the access log."""
