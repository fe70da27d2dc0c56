"""One module per kind of document, each registering its renderer (documents.registry)."""
