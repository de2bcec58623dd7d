"""Find a photographed document against the table it lies on, and warp it flat.

The page is the large bright, unsaturated region; the table is darker, coloured or textured. A mask of
"paper-like" pixels gives the page's outline; each side is then fitted as a straight line through the
outline (robust to a thumb or a dog-ear) and the corners are the lines' intersections. A scan has no such
region inside the frame — the paper is the frame — so it is left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from scanner.types import Quad

WORK_SIDE = 900


@dataclass
class PageQuad:
    quad: Quad            # TL, TR, BR, BL in source pixel coordinates (as seen in the image)
    area_share: float     # quad area / frame area
    contrast: float       # paper brightness minus background brightness (0..255)
    outside_paper: float  # share of the background that also looks like paper (low for a real photo)
    touches_frame: bool   # a corner lies on the frame: the page may be cut off

    @property
    def is_photo(self) -> bool:
        """Confident page inside a visible background: that is what a phone photo of a page looks like."""
        return (0.12 <= self.area_share <= 0.97 and self.contrast >= 25 and self.outside_paper <= 0.35)


def _paper_score(small_rgb: np.ndarray) -> np.ndarray:
    """Bright and colourless = paper. Value minus saturation in HSV, smoothed."""
    hsv = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2HSV).astype(np.int16)
    score = np.clip(hsv[..., 2] - hsv[..., 1], 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(score, (0, 0), 1.5)


def _order_corners(points: np.ndarray) -> np.ndarray:
    """TL, TR, BR, BL as seen in the image, from four unordered points."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered = points[np.argsort(angles)]  # clockwise on screen starting from the left-ish point
    start = int(np.argmin(ordered.sum(axis=1)))  # top-left has the smallest x + y
    return np.roll(ordered, -start, axis=0)


def _four_corners(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float64)
    return None


def _refine_sides(contour: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Fit each side as a line through the outline points lying near it (away from the corners, which
    blur and shadows round off), then intersect neighbouring sides."""
    pts = contour.reshape(-1, 2).astype(np.float64)
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(*d))
        if length < 1:
            return corners
        u = d / length
        normal = np.array([-u[1], u[0]])
        rel = pts - a
        along = rel @ u
        across = np.abs(rel @ normal)
        near = (along > 0.1 * length) & (along < 0.9 * length) & (across < max(3.0, 0.02 * length))
        if near.sum() < 10:
            lines.append((a, u))
            continue
        vx, vy, x0, y0 = cv2.fitLine(pts[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    refined = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        matrix = np.array([d1, -d2]).T
        if abs(np.linalg.det(matrix)) < 1e-6:
            refined.append(corners[i])
            continue
        t = np.linalg.solve(matrix, p2 - p1)
        refined.append(p1 + t[0] * d1)
    out = np.array(refined)
    # a refinement that moves a corner far means the fit went wrong; keep the polygon corner then
    moved = np.hypot(*(out - corners).T)
    return np.where((moved > 0.05 * np.hypot(*(corners[2] - corners[0])))[:, None], corners, out)


def _snap_sides_to_edges(score: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Move each side onto the strongest paper-to-background step near it. The Otsu outline drifts where the
    light falls off across the page; the step in brightness at the sheet's edge does not. Profiles are
    averaged over short segments of the side so text near the edge smears into grey instead of an edge."""
    diag = float(np.hypot(*(corners[2] - corners[0])))
    reach = max(4, int(0.05 * diag))
    smooth = cv2.GaussianBlur(score.astype(np.float32), (0, 0), 1.0)
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        length = float(np.hypot(*(b - a)))
        u = (b - a) / max(length, 1e-6)
        outward = np.array([u[1], -u[0]])  # corners run clockwise on screen: outward is to the left of u
        centre = corners.mean(axis=0)
        if np.dot((a + b) / 2 - centre, outward) < 0:
            outward = -outward
        offsets = np.arange(-reach, reach + 1, dtype=np.float32)
        along = np.linspace(0.08, 0.92, 24)
        seg = np.linspace(-0.015, 0.015, 7) * length
        points = []
        for t in along:
            base = a + t * (b - a)
            xs = base[0] + np.add.outer(offsets * outward[0], seg * u[0])
            ys = base[1] + np.add.outer(offsets * outward[1], seg * u[1])
            prof = cv2.remap(smooth, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE).mean(axis=1)
            step = prof[:-2] - prof[2:]  # paper (inside, bright) minus outside: large at the edge
            j = int(np.argmax(step))
            if step[j] < 15:
                continue
            points.append(base + (offsets[j] + 1.0) * outward)
        if len(points) < 6:
            lines.append((a, u))
            continue
        vx, vy, x0, y0 = cv2.fitLine(np.array(points, np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    return _intersect(lines, corners)


def _intersect(lines: list[tuple[np.ndarray, np.ndarray]], fallback: np.ndarray) -> np.ndarray:
    out = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        matrix = np.array([d1, -d2]).T
        if abs(np.linalg.det(matrix)) < 1e-6:
            out.append(fallback[i])
            continue
        t = np.linalg.solve(matrix, p2 - p1)
        out.append(p1 + t[0] * d1)
    return np.array(out)


def find_page(rgb: np.ndarray) -> PageQuad | None:
    """The most plausible page quadrilateral, or None when no page-shaped region stands out."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else rgb
    sh, sw = small.shape[:2]
    score = _paper_score(small)
    threshold, mask = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    k = max(3, int(0.02 * max(sh, sw)) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    corners = _four_corners(contour)
    if corners is None:
        return None
    corners = _order_corners(_refine_sides(contour, _order_corners(corners)))
    snapped = _order_corners(_snap_sides_to_edges(score, corners))
    if np.max(np.hypot(*(snapped - corners).T)) < 0.08 * np.hypot(sh, sw):
        corners = snapped
    inside = np.zeros((sh, sw), np.uint8)
    cv2.fillConvexPoly(inside, np.round(corners).astype(np.int32), 255)
    margin = cv2.dilate(inside, np.ones((k, k), np.uint8))
    outside = margin == 0
    inner = cv2.erode(inside, np.ones((k, k), np.uint8)) > 0
    if outside.sum() < 0.01 * sh * sw or inner.sum() == 0:
        contrast, outside_paper = 0.0, 1.0
    else:
        contrast = float(np.median(score[inner]) - np.median(score[outside]))
        outside_paper = float((score[outside] > threshold).mean())
    edge = 1.5
    touches = bool(np.any((corners[:, 0] < edge) | (corners[:, 1] < edge) | (corners[:, 0] > sw - 1 - edge)
                          | (corners[:, 1] > sh - 1 - edge)))
    full = corners / scale + (0.5 / scale - 0.5 if scale < 1.0 else 0.0)  # pixel centres back to full size
    quad: Quad = tuple((float(x), float(y)) for x, y in full)  # type: ignore[assignment]
    return PageQuad(quad=quad, area_share=float(cv2.contourArea(corners.astype(np.float32)) / (sh * sw)),
                    contrast=contrast, outside_paper=outside_paper, touches_frame=touches)


def warp_page(rgb: np.ndarray, quad: Quad) -> np.ndarray:
    """Perspective-correct the quad into an upright rectangle whose sides are the quad's mean side lengths."""
    src = np.array(quad, np.float32)
    width = (np.hypot(*(src[1] - src[0])) + np.hypot(*(src[2] - src[3]))) / 2
    height = (np.hypot(*(src[3] - src[0])) + np.hypot(*(src[2] - src[1]))) / 2
    out_w, out_h = max(1, int(round(width))), max(1, int(round(height)))
    dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(rgb, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
