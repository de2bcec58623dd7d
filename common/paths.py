"""Where sohoa finds its data folders, whether run from a checkout or an installed copy."""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def profiles_dir() -> Path:
    """The profiles folder: $SOHOA_PROFILES, else the checkout's `profiles/`, else the installed copy."""
    env = os.environ.get("SOHOA_PROFILES")
    if env:
        return Path(env)
    for candidate in (REPO_ROOT / "profiles", Path(sys.prefix) / "profiles"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("không tìm thấy thư mục profiles (profiles folder not found); set SOHOA_PROFILES")


def tessdata_dir() -> str | None:
    """Tesseract's model folder. The tesserocr wheel bundles its own library but no models, so point it
    at the system's (tesseract-ocr-vie installs them); $TESSDATA_PREFIX wins when set."""
    env = os.environ.get("TESSDATA_PREFIX")
    if env:
        return env
    for candidate in sorted(Path("/usr/share/tesseract-ocr").glob("*/tessdata"), reverse=True):
        if (candidate / "vie.traineddata").exists():
            return str(candidate)
    return None
