"""export: BTP Excel + per-registration PDFs + per-book zip, the land Excel, reports."""
