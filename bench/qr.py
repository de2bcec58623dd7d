"""QR readers compared on the generator's cards (chip CCCD fronts, Căn cước backs), per capture condition:
zxing-cpp (kept, extract/qr.py), OpenCV's QRCodeDetector and QRCodeDetectorAruco, and pyzbar (libzbar).

Each reader gets the same prepared page (the scanner's upright colour image, grey) once whole; a decode
counts only when its text is the card's payload exactly. Codes the generator spoilt on purpose (small,
blurred, glare) are counted apart: a reader should fail on them, and none may return a wrong payload.
"""
from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np


def _zxing(grey: np.ndarray) -> list[str]:
    import zxingcpp
    out = []
    for code in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode):
        try:
            out.append(bytes(code.bytes).decode("utf-8"))
        except UnicodeDecodeError:
            out.append(code.text)
    return out


def _opencv(grey: np.ndarray) -> list[str]:
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(grey)
    return [text] if text else []


def _opencv_aruco(grey: np.ndarray) -> list[str]:
    text, _points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(grey)
    return [text] if text else []


def _pyzbar(grey: np.ndarray) -> list[str]:
    from pyzbar import pyzbar
    out = []
    for code in pyzbar.decode(grey, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        try:
            out.append(code.data.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(code.data.decode("latin-1"))
    return out


READERS: dict[str, Callable[[np.ndarray], list[str]]] = {
    "zxing-cpp": _zxing, "opencv": _opencv, "opencv-aruco": _opencv_aruco, "pyzbar": _pyzbar}


def run(corpus: Path) -> dict:
    from scanner.prepare import prepare_file
    from synth.truth import load_manifest

    tallies: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # n, right, wrong
    seconds: dict[str, float] = defaultdict(float)
    for tf in load_manifest(corpus):
        for page in tf.pages:
            if not page.qr:
                continue
            prepared = prepare_file(corpus / tf.file)[page.page]
            grey = cv2.cvtColor(prepared.archival, cv2.COLOR_RGB2GRAY)
            want = page.qr_payload
            group = "intact" if page.qr == "ok" else "spoilt"
            for name, reader in READERS.items():
                t0 = time.perf_counter()
                try:
                    texts = reader(grey)
                except Exception:  # a reader's crash counts as no decode
                    texts = []
                seconds[name] += time.perf_counter() - t0
                t = tallies[(name, page.capture.condition, group)]
                t[0] += 1
                t[1] += want in texts
                t[2] += any(x and x != want for x in texts)
    return {"tallies": dict(tallies), "seconds": dict(seconds)}


def table(figures: dict) -> str:
    tallies = figures["tallies"]
    conditions = sorted({c for _, c, _ in tallies})
    head = f"{'reader':13} " + " ".join(f"{c:>10}" for c in conditions) + f" {'intact':>8} {'spoilt':>7} {'wrong':>6} {'ms/page':>8}"
    rows = [head, "-" * len(head)]
    for name in READERS:
        cells = []
        n_all = ok_all = wrong = spoilt_read = spoilt_n = 0
        for c in conditions:
            n, ok, bad = tallies.get((name, c, "intact"), [0, 0, 0])
            cells.append(f"{100 * ok / n:9.1f}%" if n else f"{'-':>10}")
            n_all, ok_all, wrong = n_all + n, ok_all + ok, wrong + bad
            sn, sok, sbad = tallies.get((name, c, "spoilt"), [0, 0, 0])
            spoilt_n, spoilt_read, wrong = spoilt_n + sn, spoilt_read + sok, wrong + sbad
        pages = n_all + spoilt_n
        rows.append(f"{name:13} " + " ".join(cells) + f" {100 * ok_all / max(1, n_all):7.1f}% "
                    f"{spoilt_read:3d}/{spoilt_n:<3d} {wrong:6d} {1000 * figures['seconds'].get(name, 0) / max(1, pages):8.1f}")
    rows.append("(per condition: intact codes decoded; spoilt: spoilt codes decoded anyway; wrong: a text that is "
                "not the payload)")
    return "\n".join(rows)


def bench(n: int, seed: int, corpus: Path | None = None) -> str:
    from synth.generate import generate_corpus

    if corpus is not None and (corpus / "manifest.json").exists():
        return table(run(corpus))
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-qr-") as tmp:
        folder = corpus or Path(tmp)
        generate_corpus(folder, n=n, seed=seed, kinds=["cccd", "cancuoc"])
        return table(run(folder))
