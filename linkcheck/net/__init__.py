"""The HTTP edge: the client, one exchange (errors mapped here only), redirects walked by hand."""
