"""The corpus: every file of claims/ as read, validated and checked, with where each object stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import quotes
from .cache import FileCache
from .model import Agent, Measure, Source, Subject, ValueSemantics
from .yamlfile import ParsedFile


@dataclass(slots=True)
class Located:
    """Where an object came from: its file and the line of each of its keys."""

    path: str
    parsed: ParsedFile
    prefix: tuple

    @property
    def line(self) -> int:
        return self.parsed.line_of(self.prefix)

    def line_of(self, *keys) -> int:
        return self.parsed.line_of(self.prefix + keys)


@dataclass
class ClaimFile:
    """One source file as read: its source (None when its metadata is invalid)
    and its claims (None for each invalid one)."""

    place: Located
    source: Source | None
    claims: list


@dataclass(frozen=True)
class MarkedNotClaim:
    """Words an editor marked as carrying no claim, where they stand in the
    archive and in the source file."""

    not_claim: object  # model.NotClaim
    span: quotes.Span
    path: str
    line: int


@dataclass
class Corpus:
    claims_dir: Path
    agents: list[Agent] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    semantics: ValueSemantics | None = None
    sources: list[Source] = field(default_factory=list)
    where: dict = field(default_factory=dict)  # (kind, id) -> Located
    texts: dict = field(default_factory=dict)  # source id -> archived text
    revision_texts: dict = field(default_factory=dict)  # (source id, revision) -> text of an earlier capture
    spans: dict = field(default_factory=dict)  # claim id -> quotes.Span
    not_claims: dict = field(default_factory=dict)  # source id -> [MarkedNotClaim], in file order
    intervals: dict = field(default_factory=dict)  # claim id -> readings.Reading
    periods: dict = field(default_factory=dict)  # claim id -> Period
    # (claim id, figure id, group, reading, wording) of each claim giving a
    # figure, in corpus order, worked out file by file as they are read
    # (claimsdb.relations.figure_entries); None: from the claims.
    figure_entries: list | None = None
    relations: object = None  # relations.Relations: figures, detected and declared relations, reviews
    warnings: list = field(default_factory=list)  # Problems that do not stop the build
    claim_files: list = field(default_factory=list)  # ClaimFile, valid or not
    loaded: set = field(default_factory=set)  # shared files that validated
    cache: FileCache | None = None  # kept for the build's derived data (coverage)
    jobs: int = 1  # processes for the build's per-source stages (coverage)
    # An incremental build reads some sources only (claimsdb.incremental): the
    # claims of the others, which references may name, and those withdrawn.
    elsewhere_claims: set = field(default_factory=set)
    elsewhere_withdrawn: set = field(default_factory=set)

    def located_claims(self):
        """Every valid claim, in any file, with where it stands."""
        for file in self.claim_files:
            for index, claim in enumerate(file.claims):
                if claim is not None:
                    yield Located(file.place.path, file.place.parsed, ("claims", index)), claim

    def claims(self):
        for source in self.sources:
            for claim in source.claims:
                if claim is not None:
                    yield source, claim
