"""scanner: any photo or scan -> a clean upright page (intake, page finding, orientation, deskew, cleanup)."""
