"""Solution packs: definition files loaded into the definitions table, versioned and exportable."""
