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

from scanner.deskew import working_copy
from scanner.types import Quad

WORK_SIDE = 900


@dataclass
class PageQuad:
    quad: Quad            # TL, TR, BR, BL in source pixel coordinates (as seen in the image)
    area_share: float     # quad area / frame area
    contrast: float       # paper brightness minus background brightness (0..255)
    outside_paper: float  # share of the background that also looks like paper (low for a real photo)
    touches_frame: bool   # a corner lies on the frame: the page may be cut off
    edge_support: float = 0.0  # weakest side's share of its length lying on a real step in the image
    method: str = ""           # which cue found it: paper | colour | lines
    side_contrast: float = 0.0 # weakest side's colour step (Lab delta E) from the sheet to what lies outside
    perspective_deg: float = 0.0  # largest departure of a corner angle from 90 degrees

    @property
    def is_photo(self) -> bool:
        """Confident page inside a visible background: that is what a phone photo of a page looks like.
        Either the sheet stands out as paper against the table, or all four sides are real straight edges
        (a light table, where brightness alone does not separate them)."""
        if not 0.12 <= self.area_share <= 0.97:
            return False
        bright = self.contrast >= 25 and self.outside_paper <= 0.35
        # a skewed card on a scanner bed or a photocopied card is an exact rectangle; a phone sees the
        # sheet in perspective, with the table (not paper) beyond every side
        outlined = self.edge_support >= 0.5 and self.side_contrast >= 8 and self.perspective_deg >= 1.5
        return bright or outlined


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
    out = _intersect(lines, corners)
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


def _mask_corners(mask: np.ndarray, k: int) -> np.ndarray | None:
    """Four corners of the largest blob of a foreground mask, sides fitted as lines."""
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    corners = _four_corners(contour)
    if corners is None:
        return None
    return _order_corners(_refine_sides(contour, _order_corners(corners)))


def _border_distance(lab: np.ndarray) -> np.ndarray:
    """Colour distance (Lab) of every pixel from the colour of the photo's border: the table is what the
    frame's edge shows. Catches a white page on a light but tinted or textured table."""
    h, w = lab.shape[:2]
    b = max(2, int(0.03 * min(h, w)))
    border = np.concatenate([lab[:b].reshape(-1, 3), lab[-b:].reshape(-1, 3), lab[:, :b].reshape(-1, 3),
                             lab[:, -b:].reshape(-1, 3)])
    ref = np.median(border, axis=0)
    dist = np.sqrt(((lab - ref) ** 2).sum(axis=2))
    return cv2.GaussianBlur(np.clip(dist * 2, 0, 255).astype(np.uint8), (0, 0), 1.5)


def _hough_quads(edges: np.ndarray, limit: int = 5) -> list[np.ndarray]:
    """Quads from pairs of long straight edges: a sheet's sides are straight, wood grain, cloth and
    shadows are not. Lines are split into two families by direction; every pair from each family makes
    one candidate."""
    h, w = edges.shape
    lines = cv2.HoughLines(edges, 1, np.pi / 360, threshold=int(0.12 * min(h, w)))
    if lines is None:
        return []
    kept: list[tuple[float, float]] = []
    for rho, theta in lines[:, 0, :]:
        if all(abs(rho - r) > 0.02 * min(h, w) or min(abs(theta - t), np.pi - abs(theta - t)) > np.deg2rad(4)
               for r, t in kept):
            kept.append((float(rho), float(theta)))
        if len(kept) >= 4 * limit:
            break
    # theta is the normal's angle: near 0/pi = a vertical-ish line, near pi/2 = a horizontal-ish line
    vertical = [ln for ln in kept if abs(np.cos(ln[1])) >= np.sqrt(0.5)][:limit]
    horizontal = [ln for ln in kept if abs(np.cos(ln[1])) < np.sqrt(0.5)][:limit]
    quads = []
    for i, top in enumerate(horizontal):
        for bottom in horizontal[i + 1:]:
            for j, left in enumerate(vertical):
                for right in vertical[j + 1:]:
                    pts = [_cross(a, b) for a, b in ((top, left), (top, right), (bottom, right), (bottom, left))]
                    if any(p is None for p in pts):
                        continue
                    quads.append(_order_corners(np.array(pts)))
    return quads


def _cross(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray | None:
    matrix = np.array([[np.cos(a[1]), np.sin(a[1])], [np.cos(b[1]), np.sin(b[1])]])
    if abs(np.linalg.det(matrix)) < 1e-6:
        return None
    return np.linalg.solve(matrix, np.array([a[0], b[0]]))


def _perspective(corners: np.ndarray) -> float:
    worst = 0.0
    for i in range(4):
        u, v = corners[i - 1] - corners[i], corners[(i + 1) % 4] - corners[i]
        cos = float(u @ v / max(np.hypot(*u) * np.hypot(*v), 1e-6))
        worst = max(worst, abs(90.0 - float(np.degrees(np.arccos(np.clip(cos, -1, 1))))))
    return worst


def _plausible(corners: np.ndarray, shape: tuple[int, int]) -> bool:
    """Convex, inside the frame (give or take), not tiny, corner angles a perspective view allows."""
    h, w = shape
    if np.any(corners[:, 0] < -0.02 * w) or np.any(corners[:, 0] > 1.02 * w) \
            or np.any(corners[:, 1] < -0.02 * h) or np.any(corners[:, 1] > 1.02 * h):
        return False
    area = cv2.contourArea(corners.astype(np.float32))
    if area < 0.08 * h * w or not cv2.isContourConvex(np.round(corners).astype(np.int32)):
        return False
    for i in range(4):
        u, v = corners[i - 1] - corners[i], corners[(i + 1) % 4] - corners[i]
        cos = float(u @ v / max(np.hypot(*u) * np.hypot(*v), 1e-6))
        if abs(cos) > np.cos(np.deg2rad(50)):  # corner angle outside 50..130 degrees
            return False
    return True


def edge_support(gx: np.ndarray, gy: np.ndarray, corners: np.ndarray, samples: int = 60) -> np.ndarray:
    """Per side, the share of points along it where the image steps across the side (gradient strong and
    pointing across it). A real sheet edge scores near 1 on all four sides."""
    h, w = gx.shape
    out = np.zeros(4)
    t = np.linspace(0.05, 0.95, samples)[None, :, None]
    offsets = np.array([-1.5, -0.75, 0.0, 0.75, 1.5])[:, None, None]
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        length = float(np.hypot(*(b - a)))
        if length < 1:
            return out
        normal = np.array([-(b - a)[1], (b - a)[0]]) / length
        pts = a + t * (b - a) + offsets * normal  # (offsets, samples, 2)
        xs = np.clip(np.round(pts[..., 0]).astype(int), 0, w - 1)
        ys = np.clip(np.round(pts[..., 1]).astype(int), 0, h - 1)
        gxs, gys = gx[ys, xs], gy[ys, xs]
        across = np.abs(gxs * normal[0] + gys * normal[1])
        best = np.where(across >= 0.8 * np.hypot(gxs, gys), across, 0.0).max(axis=0)
        out[i] = float(np.mean(best >= EDGE_STEP))
    return out


def side_contrast(smooth: np.ndarray, corners: np.ndarray, samples: int = 30) -> np.ndarray:
    """Per side, the median colour difference (Lab, delta E; `smooth` is a blurred Lab image) between just
    inside and just outside it.
    A sheet on a table differs from the table along all four sides; a frame printed on a scanned page, a
    card's own border or a skewed page on a white scanner bed has paper (or paper-white) on both sides."""
    h, w = smooth.shape[:2]
    centre = corners.mean(axis=0)
    reach = max(3.0, 0.012 * float(np.hypot(h, w)))
    out = np.zeros(4)
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        length = float(np.hypot(*(b - a)))
        if length < 1:
            return out
        normal = np.array([-(b - a)[1], (b - a)[0]]) / length
        if np.dot((a + b) / 2 - centre, normal) < 0:
            normal = -normal  # outward
        t = np.linspace(0.1, 0.9, samples)[:, None]
        base = a + t * (b - a)
        values = []
        for sign in (-1.0, 1.0):
            pts = base + sign * reach * normal
            xs = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
            ys = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
            values.append(smooth[ys, xs])
        out[i] = float(np.median(np.sqrt(((values[0] - values[1]) ** 2).sum(axis=1))))
    return out


EDGE_STEP = 4.0   # grey levels per working pixel across a side: a sheet edge, even on a light table
SIDE_STEP = 10.0  # colour difference (delta E) across a side that counts as fully "paper meets table"


def _fit_to_edges(edges: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Refit every side through the edge pixels lying within 2 px of it (sub-pixel straight line)."""
    ys, xs = np.nonzero(edges)
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        length = float(np.hypot(*(b - a)))
        u = (b - a) / max(length, 1e-6)
        rel = pts - a
        along, across = rel @ u, np.abs(rel @ np.array([-u[1], u[0]]))
        near = (along > 0.05 * length) & (along < 0.95 * length) & (across <= 2.0)
        if near.sum() < 0.3 * length:
            lines.append((a, u))
            continue
        vx, vy, x0, y0 = cv2.fitLine(pts[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    fitted = _intersect(lines, corners)
    moved = np.hypot(*(fitted - corners).T)
    return corners if np.any(moved > 0.02 * np.hypot(*edges.shape)) else fitted


def find_page(rgb: np.ndarray) -> PageQuad | None:
    """The most plausible page quadrilateral, or None when no page-shaped region stands out.

    Candidates come from three independent cues — a paper-like mask (bright, colourless), a mask of
    colours unlike the frame's border, and pairs of long straight edges — and each is scored by how much
    of its outline is a real step in the image. Among well-supported candidates the largest wins (a
    register's ruled table or an ID photo also has straight sides, but lies inside the sheet)."""
    h, w = rgb.shape[:2]
    small = working_copy(rgb, WORK_SIDE)
    sh, sw = small.shape[:2]
    scale_xy = np.array([sw / w, sh / h])
    k = max(3, int(0.02 * max(sh, sw)) | 1)
    score = _paper_score(small)
    threshold, paper_mask = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    distance = _border_distance(lab)
    _, far_mask = cv2.threshold(distance, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    grey = cv2.GaussianBlur(lab[..., 0], (0, 0), 1.2)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3) / 8
    edges = cv2.Canny(np.clip(grey, 0, 255).astype(np.uint8), 20, 50)

    candidates: list[tuple[str, np.ndarray]] = []
    paper = _mask_corners(paper_mask, k)
    if paper is not None:
        snapped = _order_corners(_snap_sides_to_edges(score, paper))
        if np.max(np.hypot(*(snapped - paper).T)) < 0.08 * np.hypot(sh, sw):
            paper = snapped
        candidates.append(("paper", paper))
    far = _mask_corners(far_mask, k)
    if far is not None:
        candidates.append(("colour", far))
    candidates += [("lines", q) for q in _hough_quads(edges)]
    smooth = cv2.GaussianBlur(lab, (0, 0), 2.0)
    scored = []
    for name, corners in candidates:
        if not _plausible(corners, (sh, sw)):
            continue
        # a side counts when it is a straight step AND the colour changes across it: a frame printed on
        # the sheet or a table rule is a straight step with paper on both sides
        support = edge_support(gx, gy, corners) * np.minimum(1.0, side_contrast(smooth, corners) / SIDE_STEP)
        scored.append((float(support.mean() + 0.5 * support.min()), float(cv2.contourArea(
            corners.astype(np.float32))), name, corners))
    if not scored:
        return None
    top = max(s[0] for s in scored)
    _, _, name, corners = max((s for s in scored if s[0] >= top - 0.15), key=lambda s: s[1])
    if name != "paper":
        corners = _order_corners(_fit_to_edges(edges, corners))
    support = edge_support(gx, gy, corners)
    sides = float(side_contrast(smooth, corners).min())
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
    edge = 0.5  # working pixels: a corner on (or beyond) the frame means the sheet may run out of the photo
    touches = bool(np.any((corners[:, 0] < edge) | (corners[:, 1] < edge) | (corners[:, 0] > sw - 1 - edge)
                          | (corners[:, 1] > sh - 1 - edge)))
    full = (corners + 0.5) / scale_xy - 0.5 if sw < w else corners  # pixel centres back to full size
    quad: Quad = tuple((float(x), float(y)) for x, y in full)  # type: ignore[assignment]
    return PageQuad(quad=quad, area_share=float(cv2.contourArea(corners.astype(np.float32)) / (sh * sw)),
                    contrast=contrast, outside_paper=outside_paper, touches_frame=touches,
                    edge_support=float(support.min()), method=name, side_contrast=sides,
                    perspective_deg=_perspective(corners))


def warp_page(rgb: np.ndarray, quad: Quad) -> np.ndarray:
    """Perspective-correct the quad into an upright rectangle whose sides are the quad's mean side lengths."""
    src = np.array(quad, np.float32)
    width = (np.hypot(*(src[1] - src[0])) + np.hypot(*(src[2] - src[3]))) / 2
    height = (np.hypot(*(src[3] - src[0])) + np.hypot(*(src[2] - src[1]))) / 2
    out_w, out_h = max(1, int(round(width))), max(1, int(round(height)))
    dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(rgb, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
