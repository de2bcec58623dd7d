"""Same seed -> byte-identical corpus (images, PDFs, TIFFs, truth, manifest); another seed -> different."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from synth.generate import generate_corpus


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _run(out: Path, seed: int) -> dict[str, bytes]:
    # 8 documents: every kind, two books (PDF and TIFF), conditions rotating through all four
    generate_corpus(out, 8, seed, kinds=["cccd", "cmnd", "cancuoc", "gcn", "register", "book", "book", "book"],
                    conditions=["skewed", "photocopy", "phone", "clean"], book_pages=(2, 2), dpi=100)
    return _files(out)


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path):
    a = _run(tmp_path / "a", 11)
    b = _run(tmp_path / "b", 11)
    assert a.keys() == b.keys()
    assert {Path(n).suffix for n in a} >= {".pdf", ".tif", ".json"}
    for name in a:
        assert a[name] == b[name], name
    c = _run(tmp_path / "c", 12)
    images = [n for n in a if not n.endswith(".json")]
    differing = [n for n in images if n in c and c[n] != a[n]]
    assert len(differing) == len([n for n in images if n in c])


def test_one_document_does_not_depend_on_the_others(tmp_path):
    generate_corpus(tmp_path / "few", 2, 5, kinds=["register"], conditions=["clean"], dpi=100)
    generate_corpus(tmp_path / "more", 3, 5, kinds=["register"], conditions=["clean"], dpi=100)
    for p in (tmp_path / "few").iterdir():
        if p.name != "manifest.json":
            assert p.read_bytes() == (tmp_path / "more" / p.name).read_bytes(), p.name


def test_phone_exif_orientation_matches_stored_pixels(tmp_path):
    truths = generate_corpus(tmp_path, 12, 3, kinds=["cmnd"], conditions=["phone"], dpi=100)
    tagged = 0
    for tf in truths:
        cap = tf.pages[0].capture
        with Image.open(tmp_path / tf.file) as im:
            exif = im.getexif().get(0x0112, 1)
            assert exif == cap.exif_orientation
            page = tf.pages[0]
            landscape_page = page.width > page.height
            landscape_stored = im.width > im.height
            turned = cap.rotation in (90, 270)
            assert landscape_stored == (landscape_page != turned)
            tagged += exif != 1
    assert tagged >= 1
