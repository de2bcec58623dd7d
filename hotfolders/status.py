"""`sohoa status`: where every file stands, as plain tables an operator can read over the phone."""
from __future__ import annotations

from hotfolders.workspace import Workspace
from store.db import Store

STATE_LABELS = {
    "received": "đã nhận (received)",
    "processing": "đang xử lý (processing)",
    "done": "xong (done)",
    "quarantined": "cách ly (quarantined)",
    "duplicate": "trùng (duplicate)",
}
STATES = tuple(STATE_LABELS)


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def status_report(ws: Workspace) -> str:
    store = Store(ws.store_url())
    try:
        by_state = store.count_files_by_state()
        by_book = store.count_files_by_book()
        reasons = store.quarantine_reasons()
        records = store.count_records_by_status()
        stuck = store.files_not_moved()  # filtered in SQL: a backlog has millions of finished files
    finally:
        store.close()
    parts = ["Tệp theo trạng thái (files by state)",
             table(["trạng thái (state)", "số tệp (files)"],
                   [[STATE_LABELS[s], by_state.get(s, 0)] for s in STATES] + [["tổng (total)", sum(by_state.values())]])]
    books: dict[tuple[str, str], dict[str, int]] = {}
    for commune, book, state, n in by_book:
        books.setdefault((commune, book), {})[state] = n
    parts += ["", "Theo xã và quyển (by commune and book)",
              table(["xã (commune)", "quyển (book)"] + [s for s in STATES],
                    [[c or "—", b or "—"] + [counts.get(s, 0) for s in STATES] for (c, b), counts in books.items()])]
    parts += ["", "Bản ghi theo trạng thái (records by status)",
              table(["trạng thái (status)", "số bản ghi (records)"], [[s, n] for s, n in sorted(records.items())])]
    if reasons:
        parts += ["", "Lý do cách ly (quarantine reasons)",
                  table(["mã (code)", "lý do (reason)", "số tệp (files)"], [list(r) for r in reasons])]
    if stuck:
        parts += ["", f"Đã xử lý nhưng chưa chuyển khỏi inbox (finished, not yet moved out of the inbox): {len(stuck)}",
                  table(["id", "trạng thái (state)", "lý do (reason)"], [[f.id, f.state, f.reason] for f in stuck])]
    return "\n".join(parts)
