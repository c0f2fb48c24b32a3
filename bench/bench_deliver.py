"""Benchmark of delivery on the bundled sample: every report as a PDF, then every PDF by e-mail.

1. `salesnb reports --pdf` on the sample (23 current reps). Target: 23 PDFs of at most 3 A4 pages each.
   Baseline, measured in the same run: the same pages printed without their print stylesheet (a browser's
   plain Print). Prints pages per report (min / median / max) for both.
2. Seconds per PDF: in the batch (beside the report workers), then printing alone with one browser for
   all reports (ours) against one browser started per report (the naive way, timed on a few reports).
   Target: ours faster.
3. `salesnb send --smtp` to a local aiosmtpd server started here. Target: 23 messages, one per rep, each
   to that rep's address and carrying that rep's PDF; a second run: 0 messages.

    .venv/bin/python bench/bench_deliver.py            (about 2 minutes on 2 cores)
"""
from __future__ import annotations

import argparse
import email
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
from email.policy import default as default_policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from salesnb import config  # noqa: E402
from salesnb.batch.pdf import PdfPrinter  # noqa: E402
from salesnb.deliver import send_reports  # noqa: E402
from salesnb.reports import run_reports  # noqa: E402

OUT = ROOT / "bench" / "_out" / "deliver"
MAX_PAGES = 3
EXPECTED_REPS = 23


def pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def spread(values: list[float]) -> str:
    return f"min {min(values):g}, median {statistics.median(values):g}, max {max(values):g}"


def without_print_stylesheet(html: Path, dst: Path) -> Path:
    """The same page with the report template's print stylesheet taken out (the plain browser Print)."""
    text = html.read_text(encoding="utf-8")
    text = re.sub(r"<style[^>]*>\s*/\* Print \(.*?</style>", "", text, count=1, flags=re.S)
    dst.write_text(text, encoding="utf-8")
    return dst


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--naive", type=int, default=3, help="reports timed with a browser each (default 3)")
    args = parser.parse_args()
    misses = []

    shutil.rmtree(OUT, ignore_errors=True)
    t0 = time.perf_counter()
    result = run_reports(config.SAMPLE_DIR, OUT, jobs=args.jobs, pdf=True, progress=False)
    seconds = time.perf_counter() - t0
    print(result.summary())
    if result.failed or result.pdf_failed or result.leaks:
        print("FAIL: the batch did not finish cleanly")
        return 1
    ours = {r: pages(p) for r, p in sorted(result.pdfs.items())}
    per_pdf = sorted(result.pdf_written.values())
    print(f"\n1. salesnb reports --pdf --data {config.SAMPLE_DIR} --out {OUT} --jobs {args.jobs}: {seconds:.1f} s, "
          f"{len(ours)} PDFs (browser start {result.browser_seconds:.1f} s, once)")
    print(f"   pages per report, A4, ours:     {spread(list(ours.values()))}")

    with tempfile.TemporaryDirectory() as tmp:
        plain = {}
        with PdfPrinter("a4") as printer:
            for rep_id, html in sorted(result.reports.items()):
                page = without_print_stylesheet(html, Path(tmp) / html.name)
                printer.render(page, Path(tmp) / f"{rep_id}.pdf")
                plain[rep_id] = pages(Path(tmp) / f"{rep_id}.pdf")
        print(f"   pages per report, A4, baseline (no print stylesheet): {spread(list(plain.values()))}")
        alone = []
        with PdfPrinter("a4") as printer:  # ours again, with no report being written beside it
            for html in sorted(result.reports.values()):
                alone.append(printer.render(html, Path(tmp) / "ours.pdf"))
            launch = printer.launch_seconds
        naive = []
        for html in sorted(result.reports.values())[: args.naive]:
            with PdfPrinter("a4") as one:  # a browser started for this report alone
                naive.append(one.render(html, Path(tmp) / "naive.pdf") + one.launch_seconds)
    target_ok = len(ours) == EXPECTED_REPS and max(ours.values()) <= MAX_PAGES
    print(f"   target: {EXPECTED_REPS} PDFs of at most {MAX_PAGES} pages -> {len(ours)} PDFs, at most "
          f"{max(ours.values())} pages: {'ok' if target_ok else 'MISS'}; pages vs baseline (median): "
          f"{statistics.median(ours.values()) / statistics.median(plain.values()):.2f}x")
    if not target_ok:
        misses.append("pages")
    ours_each, naive_each = statistics.median(alone), statistics.median(naive)
    print(f"\n2. seconds per PDF, in the batch (beside {args.jobs} report workers): "
          f"{spread([round(s, 2) for s in per_pdf])}")
    print(f"   printing alone, one browser for all {len(alone)} (started once in {launch:.1f} s): "
          f"{spread([round(s, 2) for s in alone])}")
    print(f"   baseline, a browser started per report ({len(naive)} reports): median {naive_each:.2f}; ratio "
          f"{ours_each / naive_each:.2f}x (target < 1): {'ok' if ours_each < naive_each else 'MISS'}")
    if not ours_each < naive_each:
        misses.append("seconds per PDF")

    reps = pd.read_csv(config.SAMPLE_DIR / "reps.csv", dtype=str, keep_default_na=False)
    address = dict(zip(reps["rep_id"], reps["email"]))
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        server = f"localhost:{controller.port}"
        t = time.perf_counter()
        first = send_reports(config.SAMPLE_DIR, OUT, smtp=server, sender="manager@example.com", progress=False)
        send_seconds = time.perf_counter() - t
        n_first = len(handler.messages)
        second = send_reports(config.SAMPLE_DIR, OUT, smtp=server, sender="manager@example.com", progress=False)
        n_second = len(handler.messages) - n_first
    finally:
        controller.stop()
    right = 0
    for rcpt, content in handler.messages[:n_first]:
        msg = email.message_from_bytes(content, policy=default_policy)
        (attachment,) = list(msg.iter_attachments())
        owners = [r for r, a in address.items() if [a] == rcpt]
        if len(owners) == 1 and attachment.get_content() == result.pdfs[owners[0]].read_bytes():
            right += 1
    send_ok = n_first == right == EXPECTED_REPS and n_second == 0 and first.exit_code == second.exit_code == 0
    print(f"\n3. salesnb send --data {config.SAMPLE_DIR} --out {OUT} --smtp {server}: {n_first} messages in "
          f"{send_seconds:.1f} s, {right} to the right rep with that rep's PDF; again: {n_second} messages. "
          f"Target: {EXPECTED_REPS}, {EXPECTED_REPS}, 0: {'ok' if send_ok else 'MISS'}")
    if not send_ok:
        misses.append("send")
    print("\n" + ("all targets met" if not misses else f"MISSED: {', '.join(misses)}"))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
