"""A small stand-in corpus for `sohoa bench ocr` when synth.generate is not available: A4 form pages at
300 dpi with invented Vietnamese labels and values (no real person's data), written in synth's format
(images + `<stem>.json` TruthFile + manifest.json) so the benchmark scores both corpora the same way.
Capture conditions imitate clean scans, skewed scans, photocopies and phone photos."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from synth.truth import Capture, TruthFile, TruthLine, TruthPage

FONTS = ("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
BOLD = {FONTS[0]: "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf", FONTS[1]: "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        FONTS[2]: "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
        FONTS[3]: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Hữu", "Xuân", "Thu"]
GIVEN = ["Thúy", "Hòa", "Khỏe", "Quỳnh", "Hương", "Tuấn", "Dũng", "Khánh", "Nghĩa", "Phượng", "Hiếu", "Trường", "Quý", "Thủy", "Yến", "Khuê", "Đạt"]
PLACES = ["xã Hòa Bình, huyện Quỳnh Lưu, tỉnh Nghệ An", "phường Tân Định, quận Một, Thành phố Hồ Chí Minh",
          "thị trấn Đông Anh, huyện Đông Anh, thành phố Hà Nội", "xã Nghĩa Thuận, huyện Tư Nghĩa, tỉnh Quảng Ngãi",
          "phường Trường Thi, thành phố Thanh Hóa, tỉnh Thanh Hóa", "xã Khánh Thượng, huyện Ba Vì, thành phố Hà Nội"]
PURPOSES = ["Đất ở tại nông thôn", "Đất ở tại đô thị", "Đất trồng cây lâu năm", "Đất trồng lúa"]
CONDITIONS = ("clean", "skewed", "photocopy", "phone")


def _name(rng: np.random.Generator) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _date(rng: np.random.Generator) -> str:
    return f"{rng.integers(1, 29):02d}.{rng.integers(1, 13):02d}.{rng.integers(1940, 2020)}"


def _rows(rng: np.random.Generator) -> list[tuple[str, str]]:
    rows = [("Họ và tên:", _name(rng)), ("Ngày sinh:", _date(rng)), ("Giới tính:", str(rng.choice(["Nam", "Nữ"]))),
            ("Dân tộc:", "Kinh"), ("Quốc tịch:", "Việt Nam"), ("Số định danh cá nhân:", f"0{rng.integers(10**10, 10**11)}"),
            ("Quê quán:", str(rng.choice(PLACES))), ("Nơi thường trú:", str(rng.choice(PLACES))),
            ("Họ và tên cha:", _name(rng)), ("Họ và tên mẹ:", _name(rng)),
            ("Thửa đất số:", str(rng.integers(1, 900))), ("Tờ bản đồ số:", str(rng.integers(1, 60))),
            ("Diện tích:", f"{rng.integers(40, 900)},{rng.integers(0, 10)} m²"),
            ("Mục đích sử dụng:", str(rng.choice(PURPOSES))), ("Thời hạn sử dụng:", "Lâu dài"),
            ("Nguồn gốc sử dụng:", "Nhà nước giao đất có thu tiền sử dụng đất"),
            ("Người đi khai:", _name(rng)), ("Quan hệ với người được khai sinh:", str(rng.choice(["Cha", "Mẹ", "Ông", "Bà"]))),
            ("Ngày đăng ký:", _date(rng)), ("Ghi chú:", "Khỏe mạnh, giữ gìn giấy tờ cẩn thận")]
    rng.shuffle(rows)
    return rows[:16]


def render_form(rng: np.random.Generator, dpi: int = 300) -> tuple[np.ndarray, list[TruthLine]]:
    """An upright A4 form: header, then label/value rows. Returns RGB image and its truth lines."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font_path = FONTS[int(rng.integers(len(FONTS)))]
    body = ImageFont.truetype(font_path, int(dpi * float(rng.uniform(11, 13)) / 72))
    head = ImageFont.truetype(BOLD[font_path], int(dpi * 13 / 72))
    lines: list[TruthLine] = []

    def put(x: float, y: float, text: str, font: ImageFont.FreeTypeFont, role: str) -> None:
        draw.text((x, y), text, fill=(0, 0, 0), font=font)
        x0, y0, x1, y1 = draw.textbbox((x, y), text, font=font)
        lines.append(TruthLine(text=text, box=(int(x0), int(y0), int(x1), int(y1)), role=role,
                               font=Path(font_path).stem))

    y = int(0.8 * dpi)
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "TỜ KHAI THÔNG TIN"):
        put((width - draw.textlength(text, font=head)) / 2, y, text, head, "header")
        y += int(head.size * 1.9)
    margin = int(0.9 * dpi)
    for label, value in _rows(rng):
        put(margin, y, label, body, "label")
        put(margin + draw.textlength(label, font=body) + body.size * 0.6, y, value, body, "value")
        y += int(body.size * 2.0)
    return np.array(img), lines


def _rotate(image: np.ndarray, ccw_degrees: float, fill: int = 255) -> np.ndarray:
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), ccw_degrees, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(fill, fill, fill))


def capture(page: np.ndarray, condition: str, rng: np.random.Generator) -> tuple[np.ndarray, Capture]:
    """Apply one capture condition to an upright page (RGB)."""
    cap = Capture(condition=condition)
    if condition == "skewed":
        cap.skew_deg = float(rng.uniform(-5, 5))
        return _rotate(page, cap.skew_deg), cap
    if condition == "photocopy":
        cap.skew_deg = float(rng.uniform(-1, 1))
        grey = cv2.cvtColor(_rotate(page, cap.skew_deg), cv2.COLOR_RGB2GRAY).astype(np.float32)
        grey = cv2.GaussianBlur(grey, (0, 0), 0.8)
        grey = 40 + grey * 0.78 + rng.normal(0, 14, grey.shape)          # toner grey, paper noise
        speckle = rng.random(grey.shape) < 0.0015
        grey[speckle] = 30
        cap.blur_sigma = 0.8
        out = np.clip(grey, 0, 255).astype(np.uint8)
        return cv2.cvtColor(out, cv2.COLOR_GRAY2RGB), cap
    if condition == "phone":
        h, w = page.shape[:2]
        fw, fh = int(w * 1.25), int(h * 1.2)
        jitter = lambda: rng.uniform(-0.03, 0.03) * w  # noqa: E731
        x0, y0 = (fw - w) / 2, (fh - h) / 2
        quad = np.float32([[x0 + jitter(), y0 + jitter()], [x0 + w + jitter(), y0 + jitter()],
                           [x0 + w + jitter(), y0 + h + jitter()], [x0 + jitter(), y0 + h + jitter()]])
        m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
        frame = cv2.warpPerspective(page, m, (fw, fh), flags=cv2.INTER_AREA, borderValue=(90, 80, 70))
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        light = 0.75 + 0.25 * (xx / fw) * (1 - 0.4 * yy / fh)               # uneven lighting
        frame = np.clip(frame.astype(np.float32) * light[..., None] + rng.normal(0, 5, frame.shape), 0, 255)
        frame = cv2.GaussianBlur(frame.astype(np.uint8), (0, 0), 1.0)
        ok, enc = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
        cap.page_quad = [tuple(map(float, p)) for p in quad]
        cap.blur_sigma, cap.jpeg_quality = 1.0, 85
        return cv2.imdecode(enc, cv2.IMREAD_UNCHANGED), cap
    return page, cap


def write_dev_corpus(out_dir: Path, n: int, seed: int, conditions: tuple[str, ...] = CONDITIONS) -> list[TruthFile]:
    """n pages per condition, PNG (JPEG for phone photos), truth JSON and manifest in synth's format."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    files, entries = [], []
    for i in range(n):
        page, lines = render_form(rng)
        for condition in conditions:
            image, cap = capture(page, condition, rng)
            stem = f"dev_{i:03d}_{condition}"
            name = stem + (".jpg" if condition == "phone" else ".png")
            Image.fromarray(image).save(out_dir / name, dpi=(300, 300))
            truth = TruthFile(file=name, kind="dev", seed=seed, pages=[TruthPage(
                page=0, doc_type="dev_form", width=page.shape[1], height=page.shape[0], capture=cap, lines=lines)])
            (out_dir / f"{stem}.json").write_text(truth.to_json(), encoding="utf-8")
            files.append(truth)
            entries.append({"file": name, "truth": f"{stem}.json", "condition": condition})
    (out_dir / "manifest.json").write_text(json.dumps({"files": entries}, ensure_ascii=False, indent=1), encoding="utf-8")
    return files
