"""ocr: a page or a region -> Vietnamese words with boxes and confidences (Tesseract + Vietnamese text layer)."""
