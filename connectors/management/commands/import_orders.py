import os

from django.core.management.base import BaseCommand, CommandError

from connectors.imports.jobs import order_import_failure_message, order_import_here
from connectors.imports.models import OrderImport
from connectors.imports.parse import MAX_FILE_BYTES, MAX_ROWS
from core.actors import Actor
from core.errors import DomainError

BAR_WIDTH = 30
PLAIN_EVERY_ROWS = 10_000


class ProgressBar:
    """Progress on stderr: one bar redrawn in place on a terminal; otherwise a line per phase and every 10,000 rows."""

    def __init__(self, stream, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.live = stream.isatty()
        self.drawn = False
        self.last: tuple[str, int, bool] = ("", -1, False)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if total:
            filled = BAR_WIDTH * min(done, total) // total
            line = f"{phase:<9} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} rows"
        else:
            line = f"{phase:<9} {done} rows" if done else phase
        if self.live:
            self.stream.write(f"\r{line:<80}", style_func=_plain, ending="")
            self.stream.flush()
            self.drawn = True
            return
        shown = (phase, done // PLAIN_EVERY_ROWS, bool(total) and done == total)
        if shown != self.last:
            self.stream.write(line, style_func=_plain)
            self.last = shown

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("", style_func=_plain)
            self.drawn = False


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Import a sales channel's order export (CSV in UTF-8 or GBK, or .xlsx; at most "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB and {MAX_ROWS} rows) through the order centre. Every row is "
        "checked first: one bad row imports nothing, and every bad row is listed by number. Orders already "
        "imported are not duplicated. Runs here and now; the import is kept like an uploaded one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the CSV or .xlsx file")
        parser.add_argument("--channel", required=True, help="the sales channel's code, e.g. jd")
        parser.add_argument("--mapping", default=None, help="the channel's saved column mapping (default: default)")
        parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress on stderr")

    def handle(self, *args, file: str, channel: str, mapping: str | None, progress: bool, **options):
        bar = ProgressBar(self.stderr, enabled=progress)
        try:
            with open(file, "rb") as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        try:
            job = order_import_here(
                content=content,
                filename=os.path.basename(file),
                channel_code=channel,
                mapping_name=mapping,
                actor=Actor.system("import_orders", source=f"import:{channel}"),
                progress=bar,
            )
        except DomainError as exc:
            bar.finish()
            self._errors(exc.details)
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        bar.finish()
        if job.status == OrderImport.FAILED:
            self._errors(job.errors)
            raise CommandError(f"import {job.pk}: {order_import_failure_message(job.error_code)} ({job.error_code})")
        self.stdout.write(
            f"import {job.pk}: {job.total_rows} row(s), {job.total_orders} order(s): {job.created} created, "
            f"{job.updated} updated, {job.ignored} ignored, {job.failed} refused"
        )
        if job.failed:
            self._errors(job.errors)
            raise CommandError(f"import {job.pk}: {order_import_failure_message(job.error_code)} ({job.error_code})")

    def _errors(self, details: dict) -> None:
        for key, problem in details.items():
            self.stderr.write(f"{key}: {problem}")
