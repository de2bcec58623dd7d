"""The workspace config file (sohoa.toml): everything an operator may tune, with safe defaults."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

CONFIG_NAME = "sohoa.toml"
PROCESSOR_ENV = "SOHOA_PROCESSOR"  # overrides [processor] name, e.g. for tests: "tests.support.fakes:JsonDocumentProcessor"

DEFAULT_TOML = """\
# Cấu hình không gian làm việc sohoa (sohoa workspace configuration)

[watch]
# Tệp chỉ được nhận khi kích thước và thời gian sửa không đổi trong chừng này giây
# (a file is taken only once its size and mtime stay unchanged this long)
stability_seconds = 5.0
# Quét lại toàn bộ inbox định kỳ, phòng khi ổ mạng bỏ sót sự kiện (full rescan: network shares drop events)
rescan_seconds = 60.0
# Chu kỳ kiểm tra tệp đang chờ (how often pending files are re-checked)
poll_seconds = 0.5
# In tiến độ mỗi chừng này giây (progress line interval)
progress_seconds = 10.0
# "native" (inotify…) hoặc "polling" (for shares where native events never arrive)
observer = "native"

[workers]
# Số tiến trình xử lý; "auto" = một mỗi lõi CPU; 0 = xử lý ngay trong tiến trình chính
# (worker processes; "auto" = one per core; 0 = in the main process)
count = "auto"

[retry]
# Lỗi tạm thời (ổ mạng, khóa tệp) được thử lại tối đa chừng này lần, chờ tăng dần
# (transient failures are retried up to this many attempts, with growing back-off)
max_attempts = 3
backoff_seconds = 2.0

[scan]
dpi = 300
max_pixels = 120000000

[processor]
# "real" = scanner -> ocr -> extract; or "module:Class" of a processor (tests, benchmarks)
name = "real"
lang = "vie"

[store]
# Để trống = SQLite trong thư mục làm việc; hoặc URL PostgreSQL dùng chung
# (empty = the workspace SQLite file; or a shared PostgreSQL URL)
url = ""
"""


@dataclass
class Config:
    stability_seconds: float = 5.0
    rescan_seconds: float = 60.0
    poll_seconds: float = 0.5
    progress_seconds: float = 10.0
    observer: str = "native"
    workers: int = -1  # -1 = auto (one per core), 0 = in-process
    max_attempts: int = 3
    backoff_seconds: float = 2.0
    dpi: int = 300
    max_pixels: int = 120_000_000
    processor: str = "real"
    lang: str = "vie"
    store_url: str = ""

    @property
    def worker_count(self) -> int:
        return (os.cpu_count() or 1) if self.workers < 0 else self.workers

    @property
    def processor_spec(self) -> str:
        return os.environ.get(PROCESSOR_ENV) or self.processor


_KEYS = {  # (section, key in the file) -> Config attribute
    ("watch", "stability_seconds"): "stability_seconds", ("watch", "rescan_seconds"): "rescan_seconds",
    ("watch", "poll_seconds"): "poll_seconds", ("watch", "progress_seconds"): "progress_seconds",
    ("watch", "observer"): "observer", ("workers", "count"): "workers",
    ("retry", "max_attempts"): "max_attempts", ("retry", "backoff_seconds"): "backoff_seconds",
    ("scan", "dpi"): "dpi", ("scan", "max_pixels"): "max_pixels",
    ("processor", "name"): "processor", ("processor", "lang"): "lang", ("store", "url"): "store_url",
}


class ConfigError(ValueError):
    pass


def load_config(path: Path) -> Config:
    """Read sohoa.toml; missing keys keep their defaults, unknown ones are refused (typos must not pass)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    config = Config()
    types = {f.name: f.type for f in fields(Config)}
    for section, values in data.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: mục [{section}] không hợp lệ (invalid section)")
        for key, value in values.items():
            attr = _KEYS.get((section, key))
            if attr is None:
                raise ConfigError(f"{path}: khóa không biết [{section}] {key} (unknown key)")
            if attr == "workers":
                value = -1 if value == "auto" else int(value)
            elif types[attr] in ("float", float):
                value = float(value)
            elif types[attr] in ("int", int):
                value = int(value)
            setattr(config, attr, value)
    return config
