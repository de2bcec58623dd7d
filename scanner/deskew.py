"""Fine skew estimation. Several published approaches are implemented side by side so `sohoa bench scanner`
can measure them on the same pages; `estimate_skew` uses the one the benchmark kept (see KEPT_METHOD).

Every estimator returns the angle the page content is turned by, in degrees, positive = counter-clockwise,
folded into (-45, 45] (a page turned by 90° is the orientation step's job). Correcting means rotating the
image by minus that angle. All work on a downscaled grey copy: the angle does not need full resolution.
"""
from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

WORK_SIDE = 1400     # long side of the working copy; 1 px over a 1000 px line is 0.06°
MAX_POINTS = 80_000  # ink pixels kept for the projection search (a random subset, fixed seed)


def _fold(angle: float) -> float:
    """Into (-45, 45]."""
    angle = (angle + 45.0) % 90.0 - 45.0
    return 45.0 if angle == -45.0 else angle


def working_copy(grey: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    """Downscaled so the long side is `side` (grey or colour). Halvings by pyrDown first: area averaging
    from a 4000-px page costs ten times more for the same anti-aliasing."""
    h, w = grey.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        return grey
    small = grey
    while max(small.shape[:2]) >= 2 * side:
        small = cv2.pyrDown(small)
    h, w = small.shape[:2]
    scale = side / max(h, w)
    return cv2.resize(small, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Dark strokes as 255. Adaptive threshold copes with photo shading; the border is cleared because scan
    edges and shadows are long straight lines that are not text."""
    block = max(15, (min(grey.shape[:2]) // 40) | 1)
    mask = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    margin = max(2, min(grey.shape[:2]) // 50)
    mask[:margin] = 0
    mask[-margin:] = 0
    mask[:, :margin] = 0
    mask[:, -margin:] = 0
    return mask


def text_only(grey: np.ndarray) -> np.ndarray:
    """The page with everything larger than a word painted white: photocopier drum streaks, scanner edges,
    table rules and ID photos are straight or big, and a streak at 0° pulls every global estimator to 0°."""
    mask = ink_mask(grey)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    limit = 0.08 * max(grey.shape)
    big = np.zeros(n, bool)
    big[1:] = (stats[1:, cv2.CC_STAT_WIDTH] > limit) | (stats[1:, cv2.CC_STAT_HEIGHT] > limit)
    if not big.any():
        return grey
    out = grey.copy()
    out[big[labels]] = 255
    return out


# ----------------------------------------------------------------------------------- projection profile

def _profile_score(xs: np.ndarray, ys: np.ndarray, angle: float) -> float:
    """Sum of squared differences of the row profile after undoing `angle` (Postl/Leptonica criterion):
    sharp, well-separated text lines give a spiky profile."""
    t = np.deg2rad(angle)
    rows = ys * np.cos(t) + xs * np.sin(t)
    rows = rows - rows.min()
    low = rows.astype(np.int64)
    frac = rows - low
    # each point shares itself between its two nearest bins: plain flooring makes the score jagged at
    # sub-degree steps (aliasing) and biases the refined angle by ~0.1 degree
    profile = np.bincount(low, weights=1.0 - frac, minlength=low.max() + 2)
    profile += np.bincount(low + 1, weights=frac, minlength=low.max() + 2)
    return float(np.sum(np.diff(profile) ** 2))


def _ink_points(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(ink_mask(grey))
    if len(xs) > MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(xs), MAX_POINTS, replace=False)
        xs, ys = xs[pick], ys[pick]
    return xs.astype(np.float64) - grey.shape[1] / 2, ys.astype(np.float64) - grey.shape[0] / 2


def skew_projection(grey: np.ndarray, max_angle: float = 15.0) -> float:
    """Projection-profile search: coarse sweep, then two finer sweeps around the best angle. The page may be
    turned by 90°, so columns are tried too (rows of the 90°-turned points)."""
    small = text_only(working_copy(grey))
    xs, ys = _ink_points(small)
    if len(xs) < 50:
        return 0.0
    best_angle, best_score = 0.0, -1.0
    for px, py, offset in ((xs, ys, 0.0), (ys, -xs, 90.0)):
        angle, score = _sweep(px, py, max_angle)
        if score > best_score:
            best_angle, best_score = angle + offset, score
    return _fold(best_angle)


def _sweep(xs: np.ndarray, ys: np.ndarray, max_angle: float) -> tuple[float, float]:
    return _refine_sweep(xs, ys, span=max_angle, step=0.5, rounds=3)


def _refine_sweep(xs: np.ndarray, ys: np.ndarray, *, span: float, step: float, rounds: int
                  ) -> tuple[float, float]:
    """Coarse-to-fine search for the angle with the spikiest row profile: each round scans around the best
    angle so far with a step 8× finer, and a parabola through the peak and its neighbours gives sub-step
    precision. Returns (angle, score)."""
    centre = 0.0
    best = (0.0, -1.0)
    for _ in range(rounds):
        angles = np.arange(centre - span, centre + span + step / 2, step)
        scores = [_profile_score(xs, ys, a) for a in angles]
        i = int(np.argmax(scores))
        best = (float(angles[i]), float(scores[i]))
        if 0 < i < len(angles) - 1:  # parabola through the peak and its neighbours
            s0, s1, s2 = scores[i - 1], scores[i], scores[i + 1]
            denom = s0 - 2 * s1 + s2
            if denom < 0:
                best = (float(angles[i] + 0.5 * step * (s0 - s2) / denom), s1)
        centre, span, step = best[0], step * 1.5, step / 8
    return best


# ------------------------------------------------------------------------- text lines (minAreaRect/Hough)

def skew_text_lines(grey: np.ndarray, max_angle: float = 15.0) -> float:
    """Smear characters into line blobs and take the length-weighted median of their minAreaRect angles.
    Horizontal and vertical smearing are both tried; the one giving more long blobs wins."""
    small = working_copy(grey)
    mask = ink_mask(small)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    letters = heights[(heights > 2) & (heights < small.shape[0] / 20)]
    # a line crop's letters are taller than 1/20 of it: none qualify, and the median of none is NaN
    char = float(np.median(letters)) if n > 5 and letters.size else 8.0
    best: tuple[float, float] = (0.0, -1.0)
    for kernel, offset in (((int(char * 2.5) | 1, 1), 0.0), ((1, int(char * 2.5) | 1), 90.0)):
        smeared = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        smeared = cv2.morphologyEx(smeared, cv2.MORPH_OPEN, np.ones((max(1, int(char / 3)),) * 2, np.uint8))
        contours, _ = cv2.findContours(smeared, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        angles, weights = [], []
        for contour in contours:
            (_, _), (w, h), a = cv2.minAreaRect(contour)
            long_side, short_side = max(w, h), min(w, h)
            if long_side < 6 * char or short_side > 3 * char or short_side < 1:
                continue
            angle = a if w >= h else a - 90.0  # OpenCV's angle of the width side, y axis downwards
            angle = _fold(-angle + offset)      # counter-clockwise positive, page frame
            if abs(angle) <= max_angle:
                angles.append(angle)
                weights.append(long_side)
        total = float(np.sum(weights))
        if total > best[1] and angles:
            best = (_weighted_median(np.array(angles), np.array(weights)), total)
    return best[0]


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])


# ------------------------------------------------------------------------------ Fourier radial projection

def skew_fourier(grey: np.ndarray, max_angle: float = 45.0, size: int = 1024) -> float:
    """The DISE 2021 idea (Pham et al., adaptive radial projection on the Fourier magnitude spectrum), written
    from the paper's description: text lines repeat regularly, so the log-magnitude spectrum has a bright
    ray perpendicular to them; project the spectrum radially and take the brightest direction. The ray of
    lines and the ray of vertical strokes are 90° apart, so the projection is folded modulo 90°."""
    small = text_only(working_copy(grey, size))
    h, w = small.shape
    canvas = np.zeros((size, size), np.float32)
    canvas[:h, :w] = 255.0 - small.astype(np.float32)  # ink bright, padding dark like paper
    planes = cv2.dft(canvas, flags=cv2.DFT_COMPLEX_OUTPUT)  # several times faster than numpy's FFT here
    spectrum = np.fft.fftshift(cv2.magnitude(planes[..., 0], planes[..., 1]))
    spectrum = np.log1p(spectrum).astype(np.float32)
    centre = size / 2
    step = 0.05
    thetas = np.deg2rad(np.arange(0.0, 180.0, step))
    radii = np.arange(size * 0.02, size * 0.45, 1.0, dtype=np.float32)
    map_x = (centre + np.outer(np.cos(thetas), radii)).astype(np.float32)
    map_y = (centre - np.outer(np.sin(thetas), radii)).astype(np.float32)
    polar = cv2.remap(spectrum, map_x, map_y, cv2.INTER_LINEAR)
    # adaptive part: keep the radii where the spectrum varies most with angle (the text-line band)
    spread = polar.std(axis=0)
    band = spread >= np.quantile(spread, 0.5)
    energy = polar[:, band].sum(axis=1)
    half = len(energy) // 2  # bins per 90°
    folded = energy[:half] + energy[half:2 * half]
    angles = np.arange(half) * step  # ray angle a (mod 90); content angle = a - 90 = a (mod 90)
    allowed = np.abs(np.array([_fold(a) for a in angles])) <= max_angle
    folded = np.where(allowed, folded, -np.inf)
    i = int(np.argmax(folded))
    s0, s1, s2 = folded[i - 1], folded[i], folded[(i + 1) % half]
    denom = s0 - 2 * s1 + s2
    shift = 0.5 * (s0 - s2) / denom if np.isfinite(denom) and denom < 0 else 0.0
    return _fold(float(angles[i] + shift * step))


# ----------------------------------------------------------------------------- the jdeskew package itself

def skew_jdeskew(grey: np.ndarray, max_angle: float = 45.0) -> float:
    """The authors' own package (MIT, PyPI `jdeskew`) for comparison; not a runtime dependency."""
    from jdeskew.estimator import get_angle

    return _fold(-float(get_angle(working_copy(grey, 1500))))  # its angle is the correction to apply


# --------------------------------------------------------------------------------------- combinations

def skew_fourier_projection(grey: np.ndarray, max_angle: float = 15.0) -> float:
    """Fourier for a robust coarse angle, then a narrow projection-profile search for precision."""
    coarse = skew_fourier(grey, max_angle=45.0)
    small = text_only(working_copy(grey))
    xs, ys = _ink_points(small)
    if len(xs) < 50:
        return coarse
    # rotate the points so the coarse angle becomes ~0, then search +-1 degree finely
    t = np.deg2rad(coarse)
    rx, ry = xs * np.cos(t) - ys * np.sin(t), xs * np.sin(t) + ys * np.cos(t)
    best = (0.0, -1.0)
    for px, py, offset in ((rx, ry, 0.0), (ry, -rx, 90.0)):
        angle, score = _fine_sweep(px, py)
        if score > best[1]:
            best = (angle + offset, score)
    residual = _fold(best[0])
    return _fold(coarse + residual) if abs(residual) <= 1.5 else coarse


def _fine_sweep(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    return _refine_sweep(xs, ys, span=1.2, step=0.1, rounds=2)


def skew_consensus(grey: np.ndarray, max_angle: float = 15.0) -> float:
    """Text-line blobs and Fourier+projection fail differently (line blobs can return 0 when frames, streaks
    or bed edges dominate; global methods can lock onto a streak). When they agree, keep the line-blob
    angle; when not, the one under which the text-only ink gives the spikier row profile wins."""
    lines = skew_text_lines(grey, max_angle)
    if abs(_fold(lines - skew_fourier(grey, max_angle=45.0))) <= 0.3:
        return lines  # the usual case: no need for the slower precise sweep
    fourier = skew_fourier_projection(grey, max_angle)
    xs, ys = _ink_points(text_only(working_copy(grey)))
    if len(xs) < 50:
        return lines

    def sharpness(angle: float) -> float:  # the lines may run down the page: try both axes
        return max(_profile_score(xs, ys, angle), _profile_score(ys, -xs, angle))

    return lines if sharpness(lines) >= sharpness(fourier) else fourier


METHODS: dict[str, Callable[[np.ndarray], float]] = {
    "projection": skew_projection,
    "text_lines": skew_text_lines,
    "fourier": skew_fourier,
    "jdeskew": skew_jdeskew,
    "fourier+projection": skew_fourier_projection,
    "consensus": skew_consensus,
}
KEPT_METHOD = "consensus"  # measured best on the synth corpus: text_lines alone returns 0 on some framed or
# photocopied pages, the global methods alone can lock onto photocopier streaks


def estimate_skew(grey: np.ndarray, method: str = KEPT_METHOD) -> float:
    """Content angle in degrees (counter-clockwise positive) of an upright-or-90°-turned page."""
    return METHODS[method](grey)


def rotate_image(image: np.ndarray, ccw_degrees: float, border: int | tuple[int, ...] = 255,
                 then_turn: int = 0) -> np.ndarray:
    """Rotate about the centre, enlarging the frame so no corner of the page is cut; new area is `border`.
    `then_turn` (0/90/180/270, clockwise) is folded into the same warp: one resampling and one full-size
    copy instead of two (a 400-dpi colour page is 60 MB)."""
    k = (then_turn // 90) % 4
    if abs(ccw_degrees) < 1e-3:
        return np.ascontiguousarray(np.rot90(image, k=-k)) if k else image
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), ccw_degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(round(h * sin + w * cos)), int(round(h * cos + w * sin))
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    if k:
        turn = {1: ([[0, -1, new_h - 1], [1, 0, 0]], (new_h, new_w)),
                2: ([[-1, 0, new_w - 1], [0, -1, new_h - 1]], (new_w, new_h)),
                3: ([[0, 1, 0], [-1, 0, new_w - 1]], (new_h, new_w))}[k]
        matrix = (np.vstack([np.array(turn[0], float), [0, 0, 1]]) @ np.vstack([matrix, [0, 0, 1]]))[:2]
        new_w, new_h = turn[1]
    value = border if isinstance(border, tuple) else (border,) * (image.shape[2] if image.ndim == 3 else 1)
    # bilinear: a third of bicubic's time on a full page, and no visible difference at a sub-degree turn
    return cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=value)
