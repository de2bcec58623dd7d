"""Small synthetic test pages for the scanner's own tests and for `sohoa bench scanner` when no synth corpus
is given: Vietnamese text on an A4 page, then a known capture (rotation, skew, phone perspective on a
textured table). Ground truth uses synth.truth.Capture's conventions (rotation clockwise, skew_deg positive
= counter-clockwise, page_quad TL,TR,BR,BL in the stored image). All text is invented."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from synth.truth import Capture

_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
)
_WORDS = tuple(str.split("cộng hòa xã hội chủ nghĩa việt nam độc lập tự do hạnh phúc giấy chứng nhận quyền sử dụng đất "
          "họ và tên ngày tháng năm sinh giới tính nữ nam dân tộc kinh quốc tịch quê quán nơi thường trú "
          "thửa đất số tờ bản đồ diện tích mục đích sử dụng thời hạn nguồn gốc ủy ban nhân dân xã phường "
          "huyện tỉnh thành phố đăng ký khai sinh người đi khai quan hệ với người được khai sinh ghi chú "
          "số quyển trang cán bộ tư pháp hộ tịch chữ ký đóng dấu bản sao trích lục"))


@dataclass
class DevPage:
    image: np.ndarray  # RGB uint8 as stored
    capture: Capture
    upright_size: tuple[int, int]  # (width, height) of the clean page


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return ImageFont.load_default(size)


def render_page(rng: np.random.Generator, dpi: int = 150, fill: float = 1.0) -> np.ndarray:
    """An upright A4 page of invented Vietnamese form text; `fill` is the share of the page height used."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font_path = _FONTS[int(rng.integers(len(_FONTS)))]
    margin = int(0.8 * dpi)
    y = margin
    header = _font(font_path, int(dpi * 14 / 72))
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"):
        w = draw.textlength(text, font=header)
        draw.text(((width - w) / 2, y), text, fill=(0, 0, 0), font=header)
        y += int(header.size * 1.6)
    y += int(0.2 * dpi)
    body = _font(font_path, int(dpi * float(rng.uniform(10, 13)) / 72))
    limit = margin + fill * (height - 2 * margin)
    while y < limit - body.size:
        words: list[str] = []
        while True:
            word = str(rng.choice(_WORDS))
            if rng.random() < 0.15:
                word = word.capitalize()
            if draw.textlength(" ".join([*words, word]), font=body) > width - 2 * margin:
                break
            words.append(word)
            if rng.random() < 0.05 and len(words) > 3:
                break
        draw.text((margin, y), " ".join(words), fill=(20, 20, 20), font=body)
        y += int(body.size * float(rng.uniform(1.4, 1.9)))
    return np.asarray(img)


def rotate_keep_size(image: np.ndarray, ccw_degrees: float, border: tuple[int, int, int] = (255, 255, 255)
                     ) -> np.ndarray:
    """Rotate about the centre, counter-clockwise, keeping the frame (as a flatbed scan of a skewed sheet)."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), ccw_degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)


def turn_clockwise(image: np.ndarray, degrees: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image, k=-(degrees // 90) % 4))


def _table(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A textured, darker-than-paper background: wood-like stripes plus noise."""
    base = np.array(rng.uniform(60, 150, 3))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    freq = float(rng.uniform(0.02, 0.08))
    stripes = 18 * np.sin(xs * freq + 3 * np.sin(ys * 0.01)) + rng.normal(0, 12, (height, width))
    table = base[None, None, :] + stripes[..., None]
    return np.clip(cv2.GaussianBlur(table, (0, 0), 1.2), 0, 255).astype(np.uint8)


def phone_capture(page: np.ndarray, rng: np.random.Generator, frame: tuple[int, int] | None = None
                  ) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Photograph `page` lying on a table: random perspective, uneven light, slight blur, JPEG-like noise.
    Returns the photo and the page corners TL, TR, BR, BL in it."""
    ph, pw = page.shape[:2]
    fw, fh = frame or (int(pw * 1.25), int(ph * 1.2))
    scale = float(rng.uniform(0.72, 0.88)) * min(fw / pw, fh / ph)
    cx, cy = fw / 2 + rng.uniform(-0.04, 0.04) * fw, fh / 2 + rng.uniform(-0.04, 0.04) * fh
    hw, hh = pw * scale / 2, ph * scale / 2
    jitter = 0.06 * min(hw, hh)
    quad = np.array([[cx - hw, cy - hh], [cx + hw, cy - hh], [cx + hw, cy + hh], [cx - hw, cy + hh]],
                    np.float32)
    quad += rng.uniform(-jitter, jitter, quad.shape).astype(np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, quad)
    photo = _table(rng, fw, fh)
    warped = cv2.warpPerspective(page, matrix, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, (fw, fh))
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    photo = (warped * alpha + photo * (1 - alpha))
    ys, xs = np.mgrid[0:fh, 0:fw].astype(np.float32)
    light = 1.0 - 0.1 * ((xs / fw) * rng.uniform(-1, 1) + (ys / fh) * rng.uniform(-1, 1)) ** 2  # <=40% falloff
    photo = photo * light[..., None] + rng.normal(0, 3, photo.shape)
    photo = cv2.GaussianBlur(np.clip(photo, 0, 255).astype(np.uint8), (0, 0), 0.8)
    return photo, [(float(x), float(y)) for x, y in quad]


def make_dev_page(rng: np.random.Generator, condition: str, dpi: int = 150, max_skew: float = 10.0
                  ) -> DevPage:
    """One captured page: condition clean | skewed | photocopy | phone, random rotation 0/90/180/270."""
    upright = render_page(rng, dpi)
    height, width = upright.shape[:2]
    rotation = int(rng.choice([0, 90, 180, 270]))
    skew = 0.0
    quad = None
    image = upright
    if condition == "phone":
        image, quad_pts = phone_capture(upright, rng)
        quad = quad_pts
        image = turn_clockwise(image, rotation)
        if rotation:
            quad = _turn_points(quad_pts, rotation, image.shape[1], image.shape[0])
    else:
        if condition in ("skewed", "photocopy"):
            skew = float(rng.uniform(-max_skew, max_skew))
            image = rotate_keep_size(image, skew)
        if condition == "photocopy":
            grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
            grey = grey * 0.9 + rng.normal(0, 10, grey.shape) + 10
            grey[rng.random(grey.shape) < 0.002] = 0  # toner specks
            image = cv2.cvtColor(np.clip(grey, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
        image = turn_clockwise(image, rotation)
    return DevPage(image=image, capture=Capture(condition=condition, rotation=rotation, skew_deg=skew,
                                                page_quad=quad, dpi=dpi), upright_size=(width, height))


def _turn_points(points: list[tuple[float, float]], degrees: int, new_w: int, new_h: int
                 ) -> list[tuple[float, float]]:
    """Where points of an image land after turning it clockwise by `degrees` (new size new_w x new_h).
    The order TL,TR,BR,BL stays the page's own corners."""
    out = []
    for x, y in points:
        if degrees == 90:
            out.append((new_w - y, x))
        elif degrees == 180:
            out.append((new_w - x, new_h - y))
        elif degrees == 270:
            out.append((y, new_h - x))
        else:
            out.append((x, y))
    return out


def write_dev_corpus(out_dir: Path, n: int, seed: int, conditions: tuple[str, ...] = ("clean", "skewed",
                     "photocopy", "phone"), dpi: int = 300) -> list[tuple[Path, Capture]]:
    """PNG files plus their captures, for the benchmark when synth is not available."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    made = []
    for i in range(n):
        condition = conditions[i % len(conditions)]
        page = make_dev_page(rng, condition, dpi=dpi)
        path = out_dir / f"dev_{i:04d}_{condition}.png"
        Image.fromarray(page.image).save(path, dpi=(dpi, dpi))
        made.append((path, page.capture))
    return made
