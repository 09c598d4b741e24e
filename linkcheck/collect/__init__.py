"""Reading a library: sources (files, front matter) -> extract (raw links) -> normalize (links)."""
