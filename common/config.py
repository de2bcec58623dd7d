"""The workspace configuration: `sohoa.toml`, typed sections, one loader.

Every section is a dataclass below; the loader fills them from the file, converts and checks each value, and
refuses an unknown section or key with its name and line (a typo must never pass silently). A workspace may
also hold `review.toml` (older workspaces did): it is read by the same loader after sohoa.toml, same schema,
its keys overriding.

Environment variables are not configuration, with documented exceptions that override nothing in this file:
`SOHOA_PROFILES` (the profiles folder, for every command), `TESSDATA_PREFIX` (Tesseract's models) and the
test-only fault-injection hook `SOHOA_CRASH_AT` / `SOHOA_CRASH_ONCE` (common/crashpoints.py).
"""
from __future__ import annotations

import os
import re
import tomllib
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

from common.errors import ConfigError
from common.schema import convert

CONFIG_NAME = "sohoa.toml"
STORE_SCHEMES = ("sqlite:", "postgresql:", "postgresql+psycopg:", "postgresql+psycopg2:")  # [store] url
EXTRA_FILES = ("review.toml",)  # read after sohoa.toml, same schema


@dataclass
class WatchSettings:
    stability_seconds: float = 5.0   # a file is taken once size and mtime stay unchanged this long
    rescan_seconds: float = 60.0     # full inbox rescan (network shares drop events)
    poll_seconds: float = 0.5        # how often pending files are re-checked
    progress_seconds: float = 10.0   # progress line interval
    observer: Literal["native", "polling"] = "native"


@dataclass
class WorkersSettings:
    count: int | Literal["auto"] = "auto"   # "auto" = one per core; 0 = in the main process
    lease_seconds: float = 60.0             # a file a workstation works on stays its own this long unrenewed

    @property
    def resolved(self) -> int:
        return (os.cpu_count() or 1) if self.count == "auto" else int(self.count)


@dataclass
class RetrySettings:
    max_attempts: int = 3
    backoff_seconds: float = 2.0


@dataclass
class ScanSettings:
    dpi: int = 300
    max_pixels: int = 120_000_000


@dataclass
class ProcessorSettingsSection:
    name: str = "real"   # "real" = scanner -> ocr -> extract; or "module:Class" (tests, benchmarks)
    lang: str = "vie"


@dataclass
class StoreSettings:
    url: str = ""        # empty = the workspace's SQLite file; or a shared PostgreSQL URL


@dataclass
class ReviewSettings:
    session_minutes: float = 60.0    # idle time after which a reviewer must log in again
    lock_minutes: float = 15.0       # how long a record a reviewer is working on stays theirs
    export_rule: Literal["approved", "reviewed", "all"] = "approved"
    secure_cookies: bool = False     # true when served over HTTPS (behind a reverse proxy)
    threads: int = 8                 # `sohoa review serve`: waitress threads (requests served at once)


@dataclass
class Settings:
    """Everything an operator may tune in one workspace, with safe defaults."""
    watch: WatchSettings = field(default_factory=WatchSettings)
    workers: WorkersSettings = field(default_factory=WorkersSettings)
    retry: RetrySettings = field(default_factory=RetrySettings)
    scan: ScanSettings = field(default_factory=ScanSettings)
    processor: ProcessorSettingsSection = field(default_factory=ProcessorSettingsSection)
    store: StoreSettings = field(default_factory=StoreSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    sources: list[str] = field(default_factory=list)   # files read, in order


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
# Với CSDL PostgreSQL dùng chung: tệp một máy đang xử lý thuộc về máy đó chừng này giây nếu không được gia
# hạn; máy bị tắt đột ngột thì máy khác nhận lại tệp sau thời gian này
# (shared PostgreSQL: a file a workstation works on stays its own this long without renewal; the files of
# a workstation that died are taken over after it)
lease_seconds = 60.0

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

[review]
# Phút không thao tác trước khi phải đăng nhập lại (idle minutes before logging in again)
session_minutes = 60
# Phút một bản ghi được giữ cho người đang kiểm tra (minutes a record stays with its reviewer)
lock_minutes = 15
# Bản ghi nào được xuất: "approved" | "reviewed" | "all" (which records export may take)
export_rule = "approved"
# true khi chạy sau HTTPS (true when served over HTTPS behind a reverse proxy)
secure_cookies = false
# Số luồng của máy chủ web (web server threads: requests served at once)
threads = 8
"""


def load_settings(workspace_or_file: Path) -> Settings:
    """Settings of a workspace folder (sohoa.toml, then review.toml) or of one config file."""
    target = Path(workspace_or_file)
    if target.is_dir():
        paths = [target / CONFIG_NAME] + [target / name for name in EXTRA_FILES]
        paths = [p for p in paths if p.is_file()]
    else:
        paths = [target]
    settings = Settings()
    for path in paths:
        _apply_file(settings, path)
        settings.sources.append(str(path))
    return settings


def _apply_file(settings: Settings, path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: không đọc được tệp cấu hình (cannot read the config file): {exc.strerror}",
                          code="config_unreadable") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: tệp cấu hình sai cú pháp (config syntax error): {exc}",
                          code="config_syntax") from None
    sections = {f.name: f for f in fields(Settings) if f.name != "sources"}
    for name, values in data.items():
        where = f"{path}:{_line_of(text, name, None)}"
        if name not in sections:
            raise ConfigError(f"{where}: mục không biết [{name}] (unknown section; known: "
                              f"{', '.join(sections)})", code="config_unknown")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [{name}] phải là một mục (must be a section)", code="config_type")
        section = getattr(settings, name)
        hints = typing.get_type_hints(type(section))
        for key, value in values.items():
            where = f"{path}:{_line_of(text, name, key)}"
            if key not in hints:
                raise ConfigError(f"{where}: khóa không biết [{name}] {key} (unknown key; known: "
                                  f"{', '.join(hints)})", code="config_unknown")
            setattr(section, key, convert(hints[key], value, f"{where}: [{name}] {key}"))
    _check(settings, path, text)


def _check(settings: Settings, path: Path, text: str) -> None:
    """Rules the types cannot say: counts and durations are not negative; the store URL is a database URL."""
    for section in fields(Settings):
        if section.name == "sources":
            continue
        values = getattr(settings, section.name)
        for f in fields(values):
            value = getattr(values, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"{path}:{_line_of(text, section.name, f.name)}: [{section.name}] {f.name} "
                                  f"không được âm (must not be negative)", code="config_value")
    for section, key, least in (("workers", "lease_seconds", 1), ("review", "threads", 1)):
        if getattr(getattr(settings, section), key) < least:
            raise ConfigError(f"{path}:{_line_of(text, section, key)}: [{section}] {key} phải ít nhất {least} "
                              f"(must be at least {least})", code="config_value")
    url = settings.store.url
    if url and not url.startswith(STORE_SCHEMES):
        raise ConfigError(f"{path}:{_line_of(text, 'store', 'url')}: [store] url phải là sqlite:/// hoặc "
                          f"postgresql:// (must be a sqlite:/// or postgresql:// URL)", code="config_value")


def _line_of(text: str, section: str, key: str | None) -> int:
    """The 1-based line of `[section]` or of `key = …` inside it (0 when not found: dotted keys, inline)."""
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([^\]\s]+)\s*\]\s*(#.*)?", stripped)
        if header:
            current = header.group(1)
            if key is None and current == section:
                return number
            continue
        if key is not None and current == section and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return 0


