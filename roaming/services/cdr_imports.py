"""CDR files: JSON lines (one CDR a line) or one JSON array of CDRs, imported by
`manage.py import_cdrs` in the process, or uploaded in the admin and imported in parts by
Celery workers (cpo_portal.background.chunked) with their progress on the import.

Every CDR goes through roaming.services.cdr_intake.take, CDR_IMPORT_BATCH at a time. A
refused CDR is reported as "line N: reason" ("item N" in an array); the others are taken,
whatever the refused line holds (bytes that are not UTF-8 included: the file is read with
`surrogateescape`, and such a line is refused alone). Importing a file again takes nothing
twice (duplicates are counted, not stored).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import chain, islice
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from cpo_portal.background import chunked
from cpo_portal.models import Operator
from roaming.models import CdrImport, CdrImportStatus, CdrSource

from .cdr_intake import Matcher, take
from .cdr_schema import CdrRefused, loads, loads_file

# How a file's text is decoded: a byte that is not UTF-8 becomes a lone surrogate, which
# refuses its own line (not_utf8) and no other.
ENCODING, ERRORS = "utf-8-sig", "surrogateescape"


@dataclass
class Totals:
    total: int = 0
    imported: int = 0
    duplicates: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Totals) -> None:
        self.total += other.total
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.refused += other.refused
        room = settings.CDR_IMPORT_MAX_ERRORS - len(self.errors)
        self.errors.extend(other.errors[: max(room, 0)])

    def summary(self) -> str:
        return (
            f"{self.imported} imported, {self.duplicates} already there, "
            f"{self.refused} refused, of {self.total}"
        )


def is_array(head: str) -> bool:
    return head.lstrip("\ufeff \t\r\n").startswith("[")


def numbered_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line."""
    for number, line in enumerate(lines, 1):
        line = line.strip().lstrip("\ufeff")
        if line:
            yield number, line


def parsed(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Any]]:
    """(line number, the CDR or a CdrRefused) for each numbered line of JSON lines."""
    for number, line in lines:
        try:
            yield number, loads(not_utf8(line))
        except CdrRefused as refusal:
            yield number, refusal


def not_utf8(line: str) -> str:
    """The line, or CdrRefused when its bytes were not UTF-8 (see ENCODING)."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CdrRefused(f"not UTF-8 text (at character {exc.start + 1})") from None
    return line


def decoded(raw: bytes) -> str:
    return raw.decode(ENCODING, ERRORS)


def array_items(text: str | bytes) -> list[tuple[int, Any]]:
    """(item number, the CDR) of a JSON array; CdrRefused when the file is not one."""
    if isinstance(text, str):
        text = not_utf8(text)
    data = loads_file(text)
    if not isinstance(data, list):
        raise CdrRefused("the file is neither JSON lines nor a JSON array of CDRs")
    return list(enumerate(data, 1))


def count(text: str) -> int:
    """CDRs in a file (refusals included), for progress."""
    if is_array(text[:100]):
        try:
            return len(array_items(text))
        except CdrRefused:
            return 1
    return sum(1 for line in text.splitlines() if line.strip())


def import_items(
    operator: Operator,
    numbered: Iterable[tuple[int, Any]],
    label: str = "line",
    progress: Callable[[int], None] | None = None,
) -> Totals:
    """Take the CDRs in batches; progress(done) after each batch."""
    totals, matcher = Totals(), Matcher(operator)
    stream = iter(numbered)
    while batch := list(islice(stream, settings.CDR_IMPORT_BATCH)):
        outcome = take(operator, batch, source=CdrSource.FILE, matcher=matcher)
        totals.add(
            Totals(
                total=len(batch),
                imported=len(outcome.stored),
                duplicates=len(outcome.duplicates),
                refused=len(outcome.refused),
                errors=[f"{label} {n}: {reason}" for n, reason in outcome.refused],
            )
        )
        if progress is not None:
            progress(totals.total)
    return totals


def import_file(
    operator: Operator, lines: Iterable[str], progress: Callable[[int], None] | None = None
) -> Totals:
    """A whole file, read as it goes (JSON lines) or at once (a JSON array)."""
    stream, head = iter(lines), []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    if not head or not head[-1].strip():
        return Totals()
    if is_array(head[-1]):
        try:
            numbered = array_items("".join(head) + "".join(stream))
        except CdrRefused as refusal:
            return Totals(total=1, refused=1, errors=[f"the file: {refusal}"])
        return import_items(operator, numbered, "item", progress)
    return import_items(operator, parsed(numbered_lines(chain(head, stream))), "line", progress)


# -- the admin upload: parts on Celery --------------------------------------------------------


def start_import(operator: Operator, upload: UploadedFile, user=None) -> CdrImport:
    """Store the upload and queue its parts (once the caller's transaction commits)."""
    raw = upload.read()
    text = decoded(raw)
    total = count(text)
    job = CdrImport.objects.create(
        operator=operator,
        file_name=(upload.name or "cdrs.jsonl")[:200],
        upload=raw,
        total=total,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    parts = max(1, math.ceil(total / settings.CDR_IMPORT_PART))
    RUNNER_OBJECT.start(job.pk, {"import": job.pk}, parts, total)
    return job


def progress(job: CdrImport) -> tuple[int, int]:
    """(CDRs done, CDRs in the file)."""
    if job.status != CdrImportStatus.RUNNING:
        return job.total, job.total
    done, _ = RUNNER_OBJECT.progress(job.pk)
    return done, job.total


def _mine(numbered: Sequence[tuple[int, Any]], index: int, chunks: int) -> list:
    """Part `index`'s share of the numbered CDRs (or lines), in file order."""
    return [item for item in numbered if chunked.part_of(item[0], chunks) == index]


class Parts(chunked.Parts):
    """The runner cpo_portal.background.chunked calls: part `index` takes its share of the file's
    CDRs (in file order) and returns its totals."""

    kind = "cdr-import"
    runner = "roaming.services.cdr_imports.RUNNER_OBJECT"

    def run_chunk(self, params: dict, index: int, chunks: int, checkpoint: chunked.Checkpoint):
        job = CdrImport.objects.select_related("operator").get(pk=params["import"])
        text = decoded(bytes(job.upload))
        if is_array(text[:100]):
            try:
                numbered, label = array_items(text), "item"
            except CdrRefused as refusal:
                error = [f"the file: {refusal}"] if index == 0 else []
                return asdict(Totals(refused=len(error), errors=error))
            mine: Iterable[tuple[int, Any]] = _mine(numbered, index, chunks)
        else:  # only this part's lines are parsed
            lines, label = list(numbered_lines(text.splitlines())), "line"
            mine = parsed(_mine(lines, index, chunks))
        return asdict(import_items(job.operator, mine, label, checkpoint))

    def finish(self, params: dict, results: Sequence[Any]) -> None:
        totals = Totals()
        for result in results:
            totals.add(Totals(**result))
        CdrImport.objects.filter(pk=params["import"]).update(
            status=CdrImportStatus.DONE,
            imported=totals.imported,
            duplicates=totals.duplicates,
            refused=totals.refused,
            errors=totals.errors,
            message=totals.summary(),
            upload=b"",
            finished_at=timezone.now(),
        )

    def stopped(self, params: dict, status: str, error: str) -> None:
        outcome = (
            CdrImportStatus.CANCELLED if status == CdrImportStatus.CANCELLED
            else CdrImportStatus.FAILED
        )  # fmt: skip
        message = error or "stopped; the CDRs taken so far are kept, importing again finishes"
        CdrImport.objects.filter(pk=params["import"]).update(
            status=outcome, message=message[:500], upload=b"", finished_at=timezone.now()
        )


RUNNER_OBJECT = Parts()
