"""Install sohoa: the packages of each pipeline stage, the profiles data folder and the `sohoa` command."""
from pathlib import Path

from setuptools import setup

PACKAGES = ["common", "sohoa", "bench", "scanner", "ocr", "extract", "store", "review", "hotfolders", "export", "synth"]


def _subpackages() -> list[str]:
    """Each stage folder may grow sub-packages; list them so a non-editable install carries them too."""
    found: list[str] = []
    for top in PACKAGES:
        for init in Path(top).rglob("__init__.py"):
            found.append(".".join(init.parent.parts))
    return sorted(set(found))


def _profile_data_files() -> list[tuple[str, list[str]]]:
    """profiles/ with its sub-folders (templates/, admin/, legacy/) as data, for non-editable installs."""
    folders: dict[str, list[str]] = {}
    for path in sorted(Path("profiles").rglob("*")):
        if path.is_file() and path.suffix in (".toml", ".yaml", ".json", ".txt", ".md"):
            folders.setdefault(str(path.parent), []).append(str(path))
    return sorted(folders.items())


setup(
    name="sohoa",
    version="0.1.0",
    description="Số hóa: scans of Vietnamese civil records to verified data (BTP and land templates)",
    python_requires=">=3.11",
    packages=_subpackages(),
    package_data={pkg: ["**/*.toml", "**/*.yaml", "**/*.json", "**/*.txt", "**/*.html", "**/*.css", "**/*.js"]
                  for pkg in PACKAGES},
    data_files=_profile_data_files(),
    include_package_data=True,
    install_requires=[
        "opencv-python-headless>=4.8",
        "numpy>=1.26",
        "Pillow>=10.0",
        "pillow-heif>=0.16",
        "pytesseract>=0.3.10",
        "tesserocr>=2.7",
        "pdf2image>=1.17",
        "img2pdf>=0.5",
        "watchdog>=4.0",
        "openpyxl>=3.1",
        "click>=8.1",
        "SQLAlchemy>=2.0",
        "alembic>=1.13",
        # PostgreSQL driver for a shared store: psycopg 3 with its binary wheel (libpq bundled, no compiler
        # or libpq-dev needed; maintained successor of psycopg2, native in SQLAlchemy 2)
        "psycopg[binary]>=3.1",
        "waitress>=3.0",   # the review app's production WSGI server (threads, request limits, timeouts)
        "Flask>=3.0",
        "Flask-WTF>=1.2",
        "matplotlib>=3.8",
        "psutil>=5.9",
        "rapidfuzz>=3.0",
        "fonttools>=4.40",
        "zxcvbn>=4.4",   # password strength (common passwords, patterns) for the review accounts
        # the card's QR code: zxing-cpp reads it (measured best, README), segno draws the generators'
        "zxing-cpp>=2.2",
        "segno>=1.6",
        # the official list of places after the 2025 merger (GSO codes; also synth/rendered's places); the
        # list before it, release 0.6 of the same package, is installed beside the venv by `make setup`
        "vietnam-provinces>=2025.8",
    ],
    extras_require={
        # pikepdf makes encrypted PDFs for the bad-input tests; jdeskew is the published deskew method
        # the scanner benchmark compares against (not used at run time).
        # pyzbar (with Debian's libzbar0) is the QR reader `sohoa bench qr` compares zxing-cpp against;
        # requests: the concurrency tests' HTTP clients (sessions with cookies) against a live review server.
        "test": ["pytest>=8", "pytest-xdist>=3.5", "ruff>=0.5", "playwright>=1.45", "hypothesis>=6",
                 "pikepdf>=8", "jdeskew>=0.4", "pytest-timeout>=2.2", "pyzbar>=0.1.9", "requests>=2.31"],
    },
    entry_points={"console_scripts": ["sohoa=sohoa.cli:main"]},
)
