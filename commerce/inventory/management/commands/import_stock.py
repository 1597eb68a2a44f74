import os

from django.core.management.base import BaseCommand, CommandError

from commerce.inventory.imports import HEADER, MAX_ROWS, stock_import
from core.actors import Actor
from core.errors import DomainError

BAR_WIDTH = 30


class _ProgressBar:
    """Progress on stderr: one bar redrawn in place on a terminal, a plain line every 10,000 rows otherwise."""

    def __init__(self, stream, *, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.live = stream.isatty()
        self.drawn = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if total:
            filled = BAR_WIDTH * done // total
            line = f"{phase:<9} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        else:
            line = f"{phase:<9} {done} rows"
        if self.live:
            self.stream.write(f"\r{line:<72}", style_func=_plain, ending="")
            self.stream.flush()
            self.drawn = True
        elif done == total or done % 10_000 == 0:
            self.stream.write(line, style_func=_plain)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("", style_func=_plain)
            self.drawn = False


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        f"Set stock levels from a CSV file with the header {','.join(HEADER)} (at most {MAX_ROWS} rows). "
        "Every row is checked first; one bad row imports nothing and every error is listed by row. "
        "Runs here and now, whatever the size (uploads of large files run in the background instead)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the CSV file (UTF-8)")
        parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress on stderr")

    def handle(self, *args, file: str, progress: bool, **options):
        bar = _ProgressBar(self.stderr, enabled=progress)
        actor = Actor.system("import_stock", source="command")
        try:
            with open(file, "rb") as handle:
                result = stock_import(
                    file=handle, actor=actor, reason=f"stock import {os.path.basename(file)}", progress=bar
                )
        except OSError as exc:
            bar.finish()
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        except DomainError as exc:
            bar.finish()
            for key, problem in exc.details.items():
                self.stderr.write(f"{key}: {problem}")
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        bar.finish()
        self.stdout.write(
            f"imported {result.rows} row(s): {result.created} new stock row(s), {result.changed} changed, "
            f"{result.unchanged} unchanged, {result.movements} adjustment movement(s)"
        )
