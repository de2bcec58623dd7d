"""extract: OCR words -> a typed record, every field with value, confidence and status (profile-driven)."""
