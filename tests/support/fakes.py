"""Test doubles for the runner (tests, crash tests, dry runs), selectable with
SOHOA_PROCESSOR=tests.support.fakes:FakeProcessor or `[processor] name` in sohoa.toml.

FakeProcessor takes two kinds of input:
  * a JSON "document" (`*.json`): {"doc_type": "ks", "pages": 1, "fields": {"so": "01/2020"},
    "owners": [{"hoTen": …}], "fail": "io" | "<intake code>", "fail_times": 1} -> fixed records, no OCR
    (a field is a value, accepted, or {"value", "status", "source", "reason"});
  * anything else goes through the REAL scanner.intake.read_pages (so bad inputs raise the real
    IntakeError) and yields one fixed record per page, without prepare/OCR/extract.
SOHOA_FAKE_DELAY=<seconds> makes every file take that long (crash tests need slow work to kill).
SOHOA_FAKE_JOURNAL=<file> appends "<parent pid> <file name>" for every file processed: in a worker pool the
parent is the watcher (which workstation processed what, in the several-workstation tests).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from common.errors import InputError
from extract.types import FieldValue, Person, Record
from hotfolders.processor import FileOutcome, PageOutcome, ProcessorSettings
from hotfolders.workspace import IntakeHint

DELAY_ENV = "SOHOA_FAKE_DELAY"
JOURNAL_ENV = "SOHOA_FAKE_JOURNAL"


def _field(spec) -> FieldValue:
    if isinstance(spec, dict):
        return FieldValue(str(spec["value"]), float(spec.get("confidence", 0.99)), spec.get("status", "accepted"),
                          spec.get("reason", ""), (0, 0, 10, 10), 0, spec.get("source", "ocr"))
    return FieldValue(str(spec), 0.99, "accepted", box=(0, 0, 10, 10))


class FakeProcessor:
    def __init__(self, settings: ProcessorSettings):
        self.settings = settings
        self.delay = float(os.environ.get(DELAY_ENV, "0") or 0)

    def process_file(self, path: Path, hint: IntakeHint, out_dir: Path) -> FileOutcome:
        out_dir.mkdir(parents=True, exist_ok=True)
        journal = os.environ.get(JOURNAL_ENV)
        if journal:  # one short O_APPEND write per line: lines from several processes never interleave
            with open(journal, "a", encoding="utf-8") as fh:  # the pool worker's parent is the watcher
                fh.write(f"{os.getppid()} {path.name}\n")
        if self.delay:
            time.sleep(self.delay)
        if path.suffix.lower() == ".json":
            return self._document(path, hint, out_dir)
        return self._intake_only(path, hint, out_dir)

    def _document(self, path: Path, hint: IntakeHint, out_dir: Path) -> FileOutcome:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError("tài liệu JSON hỏng (corrupt JSON document)", code="corrupt") from exc
        fail = doc.get("fail")
        if fail:
            marker = out_dir / "attempts"
            seen = int(marker.read_text()) if marker.exists() else 0
            marker.write_text(str(seen + 1))
            if seen < int(doc.get("fail_times", 1_000_000)):
                if fail == "io":
                    raise OSError("simulated share hiccup")
                raise InputError(f"lỗi giả lập {fail} (simulated {fail})", code=fail)
        doc_type = doc.get("doc_type") or (hint.profile_name or "unknown")
        n_pages = int(doc.get("pages", 1))
        pages = []
        for index in range(n_pages):
            image = out_dir / f"page-{index:04d}.txt"
            image.write_text(f"page {index}\n", encoding="utf-8")
            pages.append(PageOutcome(index, str(image), str(image), {"retake": False, "reasons": []}))
        values = {k: _field(v) for k, v in doc.get("fields", {}).items()}
        owners = [Person({k: _field(v) for k, v in owner.items()}) for owner in doc.get("owners", [])]
        records = [Record(doc_type=doc_type, doc_confidence=0.99, fields=values, pages=list(range(n_pages)),
                          owners=owners)]
        return FileOutcome(pages=pages, records=records, stage_seconds={"fake": self.delay})

    def _intake_only(self, path: Path, hint: IntakeHint, out_dir: Path) -> FileOutcome:
        from scanner.intake import read_pages

        outcome = FileOutcome()
        for page in read_pages(path, dpi=self.settings.dpi, max_pixels=self.settings.max_pixels):
            h, w = page.image.shape[:2]
            outcome.pages.append(PageOutcome(page.page_index, "", "", {"width": w, "height": h}))
            outcome.records.append(Record(doc_type=hint.profile_name or "unknown", doc_confidence=0.5,
                                          pages=[page.page_index], reason="fake: intake only"))
        return outcome
