"""store: the embedded SQLite (or shared PostgreSQL) store of files, pages, records and fields."""
