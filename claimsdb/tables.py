"""The SQL contract: every table and view of claims.db, its columns and their descriptions, and the indexes.

Column descriptions come from the pydantic models where a column holds a
field; metadata.yml is generated from this module (``claimsdb metadata``),
never written twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import (
    Affiliation,
    Agent,
    ChainLink,
    CharacterisationClaim,
    ClaimBase,
    DemandClaim,
    Measure,
    Multiplier,
    NotClaim,
    PeriodQualifier,
    QuantityClaim,
    Relation,
    Revision,
    Review,
    RoleClaim,
    Source,
    Subject,
    Translation,
    ValueSemantics,
    VagueQuantity,
)
from .relations import CONFLICTING, LOOK_ALIKE


def described(model, name: str) -> str:
    return model.model_fields[name].description


@dataclass
class Column:
    name: str
    type: type
    description: str
    not_null: bool = False


@dataclass
class Table:
    name: str
    description: str
    columns: list[Column]
    pk: str | tuple
    foreign_keys: list[tuple] = field(default_factory=list)  # (column, table, other column)
    indexes: list[str] = field(default_factory=list)
    fts: list[str] = field(default_factory=list)
    label_column: str | None = None

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The primary key's columns, in order."""
        return (self.pk,) if isinstance(self.pk, str) else tuple(self.pk)


@dataclass
class View:
    name: str
    description: str
    sql: str
    columns: dict[str, str]


C = Column

# What each build records for the next one to compare with
# (claimsdb.incremental): hidden in the published instance, and not published
# data (not in the downloads or the release's content hash).
BUILD_RECORD = [
    Table(
        "_claimsdb_build",
        "What built this database, for the next build to compare with (claimsdb.incremental); not published data.",
        [
            Column("key", str, "`code` (the SHA-256 of the package's code), `python`, `sqlite`, or `library NAME`.", True),
            Column("value", str, "The code's fingerprint, or the version of Python, SQLite or the library."),
        ],
        pk="key",
    ),
    Table(
        "_claimsdb_inputs",
        "Every file of the corpus this database was built from, for the next build to compare with (claimsdb.incremental); not published data.",
        [
            Column("path", str, "The file's path in the claims directory.", True),
            Column("sha256", str, "The SHA-256 of the file's bytes."),
        ],
        pk="path",
    ),
    Table(
        "_claimsdb_changes",
        "The rows an incremental build deleted or inserted, by table, since the build it was copied from, for the downloads to write only "
        "the chunks those rows are in (claimsdb.chunks); empty after a full build; not published data.",
        [
            Column("since", str, "The build key (claimsdb.incremental.build_key) of the database this one was copied from.", True),
            Column("table_name", str, "The table whose row it is.", True),
            Column("key", str, "The row's primary key, a JSON array of its values.", True),
        ],
        pk=("table_name", "key"),
    ),
]
BUILD_TABLE, INPUTS_TABLE, CHANGES_TABLE = (table.name for table in BUILD_RECORD)

TABLES = [
    Table(
        "agents",
        "People and organisations that speak, report and publish: every speaker, reporter and publisher of a claim.",
        [
            C("id", str, described(Agent, "id"), True),
            C("name", str, described(Agent, "name"), True),
            C("kind", str, described(Agent, "kind"), True),
            C("description", str, described(Agent, "description")),
            C("aliases", str, described(Agent, "aliases") + " A JSON array."),
        ],
        pk="id",
        indexes=["kind"],
        fts=[],
        label_column="name",
    ),
    Table(
        "agent_affiliations",
        "Which agent belongs to or is aligned with which, and in what role, as recorded by the editors.",
        [
            C("agent_id", str, "Id of the affiliated agent.", True),
            C("affiliated_with_id", str, described(Affiliation, "agent"), True),
            C("role", str, described(Affiliation, "role"), True),
            C("note", str, described(Affiliation, "note")),
        ],
        pk=("agent_id", "affiliated_with_id", "role"),
        foreign_keys=[("agent_id", "agents", "id"), ("affiliated_with_id", "agents", "id")],
        indexes=["affiliated_with_id"],
    ),
    Table(
        "subjects",
        "Events, places, documents and people that claims are about.",
        [
            C("id", str, described(Subject, "id"), True),
            C("name", str, described(Subject, "name"), True),
            C("kind", str, described(Subject, "kind"), True),
            C("description", str, described(Subject, "description")),
            C("part_of_id", str, described(Subject, "part_of")),
        ],
        pk="id",
        foreign_keys=[("part_of_id", "subjects", "id")],
        indexes=["kind", "part_of_id"],
        label_column="name",
    ),
    Table(
        "measures",
        "What quantity claims count, and in what unit.",
        [
            C("id", str, described(Measure, "id"), True),
            C("name", str, described(Measure, "name"), True),
            C("unit", str, described(Measure, "unit"), True),
            C("description", str, described(Measure, "description")),
        ],
        pk="id",
        label_column="name",
    ),
    Table(
        "value_semantics",
        "The published table of how wording maps to intervals: comparators before a number, vague quantities, and qualifiers of dates. Read it to see why two figures were compared as they were.",
        [
            C("category", str, "comparator, multiplier, vague-quantity or period-qualifier.", True),
            C("wording", str, "The words as matched in a value or a period bound ('' is a bare number).", True),
            C("language", str, "The language of the wording (a BCP 47 primary subtag: en, fa, ar); a figure is read with the wordings of its source's language. Period qualifiers: the language of the word, from its calendar.", True),
            C("name", str, "The comparator, vague quantity or qualifier the wording belongs to.", True),
            C("interval", str, "The interval the wording entails; n is the figure, t the tolerance of 'about'.", True),
            C("suggests", str, "The narrower interval the wording usually suggests, which a speaker can cancel; empty when it suggests nothing more than it entails. r is suggestion_ratio."),
            C("description", str, "Why the wording denotes these intervals.", True),
            C("tolerance", float, "Comparators: " + described(ValueSemantics, "about_tolerance")),
            C("ratio", float, "Comparators: " + described(ValueSemantics, "suggestion_ratio")),
            C("low", float, "Vague quantities: " + described(VagueQuantity, "low")),
            C("high", float, "Vague quantities: " + described(VagueQuantity, "high")),
            C("suggested_low", float, "Vague quantities: " + described(VagueQuantity, "suggested_low")),
            C("suggested_high", float, "Vague quantities: " + described(VagueQuantity, "suggested_high")),
            C("factor", float, "Multipliers: " + described(Multiplier, "factor")),
            C("applies_to", str, "Period qualifiers: " + described(PeriodQualifier, "applies_to")),
            C("first", str, "Period qualifiers: " + described(PeriodQualifier, "first")),
            C("last", str, "Period qualifiers: " + described(PeriodQualifier, "last")),
            C("calendar", str, "Period qualifiers: " + described(PeriodQualifier, "calendar")),
        ],
        pk=("category", "language", "wording"),
        indexes=["name"],
    ),
    Table(
        "text_folding",
        "The published folding table: characters written differently by an editor's keyboard and a published page (curly quotes, dashes, no-break spaces, Arabic and Persian letter forms, zero-width non-joiners, tatweel, diacritics, Persian and Arabic-Indic digits). A quote must match its archive exactly; folding only explains a miss (the error shows the archived text to paste), finds words for `claimsdb locate`, and matches claims to the expressions they cover.",
        [
            C("character", str, "The character as one of the two writes it.", True),
            C("code_point", str, "Its Unicode code point (U+XXXX).", True),
            C("name", str, "Its Unicode name.", True),
            C("folds_to", str, "The character it is compared as; empty when folding drops it (tatweel, diacritics).", True),
            C("folds_to_code_point", str, "The code point of folds_to; empty when it is dropped.", True),
            C("kind", str, "typography, letter-form, joiner, tatweel, diacritic, digit or punctuation.", True),
            C("description", str, "Why the two are compared as one.", True),
        ],
        pk="character",
        indexes=["kind"],
    ),
    Table(
        "sources",
        "Documents claims appear in, each with its archived text pinned by SHA-256.",
        [
            C("id", str, described(Source, "id"), True),
            C("title", str, described(Source, "title"), True),
            C("url", str, described(Source, "url"), True),
            C("publisher_id", str, described(Source, "publisher"), True),
            C("credited_to_id", str, "Id of the agent the document credits as its author or origin, when it names one; the first, when it credits several (all are in source_credits)."),
            C("published", str, described(Source, "published")),
            C("published_calendar", str, described(Source, "published_calendar")),
            C("published_gregorian", str, "The Gregorian days the publication date (or its bounds) can denote, first and last ('1988-07-23/1988-08-22'), when it is written in another calendar; empty for a Gregorian date."),
            C("published_note", str, described(Source, "published_note")),
            C("retrieved", str, described(Source, "retrieved")),
            C("excerpt", str, described(Source, "excerpt")),
            C("language", str, described(Source, "language"), True),
            C("archive", str, described(Source, "archive"), True),
            C("sha256", str, described(Source, "sha256"), True),
            C("text", str, "The archived text, byte for byte, decoded as UTF-8; quote positions index into it.", True),
            C("path", str, "The claim file this source was read from, in the claims directory.", True),
            C("original", str, described(Source, "original")),
            C("original_sha256", str, described(Source, "original_sha256")),
            C("original_format", str, described(Source, "original_format")),
            C("extractor", str, described(Source, "extractor")),
            C("original_characters", int, described(Source, "original_characters")),
            C("pages", str, described(Source, "pages") + " A JSON array; empty for other sources."),
            C("host_id", str, described(Source, "host")),
            C("hosted", str, described(Source, "hosted")),
            C("published_not_before", str, described(Source, "published_not_before")),
            C("published_not_after", str, described(Source, "published_not_after")),
            C("undated", int, "1: " + described(Source, "undated") + " 0 otherwise.", True),
            C("archived_url", str, described(Source, "archived_url")),
            C("text_warnings", str, "Why the archived text may not be the whole document (it ends mid-sentence, or is much shorter than the text of its original), a JSON array; empty when there is no such sign."),
        ],
        pk="id",
        foreign_keys=[("publisher_id", "agents", "id"), ("credited_to_id", "agents", "id"), ("host_id", "agents", "id")],
        indexes=["publisher_id", "credited_to_id", "language", "host_id"],
        fts=["title", "text"],
        label_column="title",
    ),
    Table(
        "figures",
        "One row per distinct figure of a comparison group (subject or scope, measure and unit; or the dates of a period): the intervals its words entail and suggest, its wordings as written, and how many claims, speakers, sources and independent origins carry it. Detection compares figures, not claims.",
        [
            C("id", str, "Stable id of the figure, from its group and readings.", True),
            C("kind", str, "quantity or period.", True),
            C("subject_id", str, "The subject compared: the claims' scope, else their subject.", True),
            C("measure_id", str, "What the figure counts (quantities)."),
            C("unit", str, "Unit of the figure (quantities)."),
            C("label", str, "The figure as first written, with what its words entail.", True),
            C("entailed_low", float, "Lowest value the words entail (quantities)."),
            C("entailed_high", float, "Highest value the words entail; empty when unbounded (quantities)."),
            C("entailed_low_inclusive", int, "1 when entailed_low itself is included."),
            C("entailed_high_inclusive", int, "1 when entailed_high itself is included."),
            C("entailed_interval", str, "What the words entail, in interval notation (for periods, first and last day).", True),
            C("entailed", str, "What the words entail, in words ('at least 2,000').", True),
            C("suggested_interval", str, "What the words usually suggest, in interval notation; the same as entailed_interval when they suggest nothing more.", True),
            C("suggested", str, "What the words usually suggest, in words ('at least 2,000 and fewer than 10,000').", True),
            C("rule", str, "The comparator or vague quantity of value_semantics that gave the readings, 'explicit' (the editor's low/high) or 'period'.", True),
            C("wordings", str, "The figure as written by each claim that carries it, distinct, first seen first. A JSON array."),
            C("hedges", str, "The hedging words the claims of this figure record, distinct. A JSON array."),
            C("claims", int, "How many claims carry the figure.", True),
            C("speakers", int, "How many distinct speakers assert it.", True),
            C("sources", int, "How many distinct sources carry it.", True),
            C("origins", int, "How many of those sources have publishers not affiliated with each other (following agent_affiliations, either way, through other agents); the database records affiliations, it never weighs them.", True),
            C("period_start", str, "First day of a period figure (ISO 8601)."),
            C("period_end", str, "Last day of a period figure (ISO 8601)."),
        ],
        pk="id",
        foreign_keys=[("subject_id", "subjects", "id"), ("measure_id", "measures", "id")],
        indexes=["kind", "subject_id", "measure_id", "rule"],
        label_column="label",
    ),
    Table(
        "claims",
        "One proposition, asserted by a speaker, as it appears in one source, with the verbatim quote that carries it.",
        [
            C("id", str, described(ClaimBase, "id"), True),
            C("source_id", str, "Id of the source the claim appears in.", True),
            C("kind", str, "quantity, period, characterisation, role, event or demand.", True),
            C("subject_id", str, described(ClaimBase, "subject"), True),
            C("measure_id", str, described(QuantityClaim, "measure")),
            C("statement", str, described(ClaimBase, "statement"), True),
            C("speaker_id", str, "Id of the agent who asserts the claim (in agents.yml); the publisher itself when the outlet speaks in its own voice; the first named of a joint statement (all are in claim_speakers).", True),
            C("reporter_id", str, "Id of the agent that reports the claim: the source's publisher.", True),
            C("mode", str, described(ClaimBase, "mode"), True),
            C("value_text", str, described(QuantityClaim, "value")),
            C("value_low", float, "Lowest value the figure entails (0 when the words set no lower bound: figures count)."),
            C("value_high", float, "Highest value the figure entails; empty when unbounded above ('thousands', 'more than 30,000')."),
            C("value_low_inclusive", int, "1 when value_low itself is included, 0 when excluded ('more than')."),
            C("value_high_inclusive", int, "1 when value_high itself is included, 0 when excluded ('fewer than')."),
            C("value_interval", str, "The interval the figure entails, in interval notation ('(30,000, ∞)')."),
            C("value_suggested_interval", str, "The narrower interval the figure's words usually suggest ('thousands': [2,000, 10,000)); the same as value_interval when they suggest nothing more."),
            C("value_rule", str, "What gave the interval: a comparator or vague quantity of value_semantics, or 'explicit' when the editor gave low/high."),
            C("figure_id", str, "Id of the figure the claim carries (quantity and period claims; empty when withdrawn): claims of one figure share its row in figures."),
            C("hedges", str, described(ClaimBase, "hedges") + " A JSON array."),
            C("unit", str, "Unit of the figure, from its measure."),
            C("scope", str, described(ClaimBase, "scope")),
            C("period_text", str, described(ClaimBase, "period")),
            C("period_start", str, "First day the period can begin (ISO 8601 date), from start."),
            C("period_end", str, "Last day the period can end (ISO 8601 date), from end."),
            C("period_start_bound", str, described(ClaimBase, "start")),
            C("period_end_bound", str, described(ClaimBase, "end")),
            C("period_calendar", str, "The calendar the bounds are written in: gregorian or solar-hijri (from `calendar`); empty when the claim gives no bounds."),
            C("period_in_calendar", str, "The bounds as their calendar names them ('Mordad–Shahrivar 1367'); period_start and period_end are the same days in the Gregorian calendar."),
            C("label", str, described(CharacterisationClaim, "label")),
            C("modality", str, described(CharacterisationClaim, "modality")),
            C("role", str, described(RoleClaim, "role")),
            C("role_agent_id", str, described(RoleClaim, "agent")),
            C("demand", str, described(DemandClaim, "demand")),
            C("addressed_to", str, described(DemandClaim, "addressed_to")),
            C("quote", str, described(ClaimBase, "quote"), True),
            C("occurrence", int, described(ClaimBase, "occurrence")),
            C("translation", str, "An English translation of the quote, when the source is not in English (from `translation.text`)."),
            C("translated_by", str, described(Translation, "by")),
            C("translation_published_in", str, described(Translation, "published_in")),
            C("quote_start", int, "Where the quote starts in sources.text: Unicode code points from 0, as a W3C TextPositionSelector.", True),
            C("quote_end", int, "Where the quote ends in sources.text (exclusive): quote = substr(text, quote_start + 1, quote_end - quote_start).", True),
            C("quote_prefix", str, "Up to 32 characters of the archived text before the quote (W3C TextQuoteSelector prefix).", True),
            C("quote_suffix", str, "Up to 32 characters of the archived text after the quote (W3C TextQuoteSelector suffix).", True),
            C("revision", int, described(ClaimBase, "revision") + " Its quote positions then index into source_revisions.text."),
            C("pages", str, "The page or pages of the PDF the quote stands on ('2', or '2-3' across a page break), from the source's page starts; empty for other sources."),
            C("note", str, described(ClaimBase, "note")),
            C("withdrawn", str, described(ClaimBase, "withdrawn")),
            C("path", str, "The claim file the claim was read from, in the claims directory.", True),
            C("line", int, "Line of the claim in its file.", True),
        ],
        pk="id",
        foreign_keys=[
            ("source_id", "sources", "id"),
            ("subject_id", "subjects", "id"),
            ("measure_id", "measures", "id"),
            ("speaker_id", "agents", "id"),
            ("reporter_id", "agents", "id"),
            ("role_agent_id", "agents", "id"),
            ("figure_id", "figures", "id"),
        ],
        indexes=["source_id", "kind", "subject_id", "measure_id", "speaker_id", "reporter_id", "mode", "modality", "label", "role_agent_id", "figure_id"],
        fts=["statement", "quote", "translation"],
        label_column="statement",
    ),
    Table(
        "source_revisions",
        "Earlier captures of a source, kept with their text when a newer capture became the current one (`claimsdb reanchor --apply`); claims with a revision quote these texts.",
        [
            C("source_id", str, "Id of the source.", True),
            C("revision", int, "Number of the earlier capture (1 is the oldest): a claim's `revision`.", True),
            C("archive", str, described(Revision, "archive"), True),
            C("sha256", str, described(Revision, "sha256"), True),
            C("original", str, described(Revision, "original")),
            C("original_sha256", str, described(Revision, "original_sha256")),
            C("original_format", str, described(Revision, "original_format")),
            C("extractor", str, described(Revision, "extractor")),
            C("original_characters", int, described(Revision, "original_characters")),
            C("retrieved", str, described(Revision, "retrieved")),
            C("replaced", str, described(Revision, "replaced")),
            C("pages", str, described(Revision, "pages") + " A JSON array."),
            C("text", str, "That capture's archived text, byte for byte, decoded as UTF-8.", True),
        ],
        pk=("source_id", "revision"),
        foreign_keys=[("source_id", "sources", "id")],
    ),
    Table(
        "source_credits",
        "Every agent a source credits as its author or origin, in the document's order (a report credited to two organisations has two rows).",
        [
            C("source_id", str, "Id of the source.", True),
            C("position", int, "Order in which the document credits the agent (1 is the first).", True),
            C("agent_id", str, "Id of the credited agent.", True),
        ],
        pk=("source_id", "position"),
        foreign_keys=[("source_id", "sources", "id"), ("agent_id", "agents", "id")],
        indexes=["agent_id"],
    ),
    Table(
        "claim_speakers",
        "Every agent who asserts each claim, in the order the source names them: one row for a claim with one speaker, several for a joint statement. Query it to find all claims an agent asserts, alone or jointly.",
        [
            C("claim_id", str, "Id of the claim.", True),
            C("position", int, "Order in which the source names the speaker (1 is the first, the claim's speaker_id).", True),
            C("speaker_id", str, "Id of the agent who asserts the claim, alone or jointly.", True),
        ],
        pk=("claim_id", "position"),
        foreign_keys=[("claim_id", "claims", "id"), ("speaker_id", "agents", "id")],
        indexes=["speaker_id"],
    ),
    Table(
        "claim_chain",
        "The chain of attribution between a claim's speaker and its reporter: each agent through whom the source says the claim reached it, in order from the speaker to the source's publisher, and how it passed the claim on.",
        [
            C("claim_id", str, "Id of the claim.", True),
            C("position", int, "Place of the link in the chain: 1 received the claim from the speaker; the last passed it to the source's publisher.", True),
            C("agent_id", str, described(ChainLink, "agent"), True),
            C("how", str, described(ChainLink, "how"), True),
            C("note", str, described(ChainLink, "note")),
        ],
        pk=("claim_id", "position"),
        foreign_keys=[("claim_id", "claims", "id"), ("agent_id", "agents", "id")],
        indexes=["agent_id", "how"],
    ),
    Table(
        "figure_relations",
        "How two figures relate, as the build detects it from their two readings: contradicts (entailed intervals disjoint), in-tension (entailed overlap, suggested disjoint), refines (one inside the other), compatible, or differs-in-scope (a part against its whole). Every claim of one figure relates so to every claim of the other.",
        [
            C("figure_id", str, "Id of the figure the relation is read from: the narrower for refines, the part for differs-in-scope.", True),
            C("other_figure_id", str, "Id of the other figure.", True),
            C("relation", str, "contradicts, in-tension, differs-in-scope, refines or compatible.", True),
            C("rationale", str, "Why, from both readings of both figures, in plain words.", True),
        ],
        pk=("figure_id", "other_figure_id"),
        foreign_keys=[("figure_id", "figures", "id"), ("other_figure_id", "figures", "id")],
        indexes=["other_figure_id", "relation"],
    ),
    Table(
        "declared_relations",
        "Relations editors declare between two claims in the claim files; each replaces what the build detects for that pair of claims in the relations view.",
        [
            C("claim_id", str, "Id of the claim the relation is declared on.", True),
            C("other_claim_id", str, described(Relation, "claim"), True),
            C("relation", str, described(Relation, "relation"), True),
            C("rationale", str, described(Relation, "rationale"), True),
            C("path", str, "The claim file that declares the relation, in the claims directory.", True),
            C("line", int, "Line of the declaration in that file.", True),
            C("detected_relation", str, "What the build's comparison of the two claims' figures finds, which the declaration replaces; empty when they are not comparable."),
            C("detected_rationale", str, "The comparison of the two figures behind detected_relation."),
        ],
        pk=("claim_id", "other_claim_id"),
        foreign_keys=[("claim_id", "claims", "id"), ("other_claim_id", "claims", "id")],
        indexes=["other_claim_id", "relation"],
    ),
    Table(
        "reviews",
        "Detected relations between two figures that an editor has looked at and accepts as the build reads them, each recorded once on a claim of one figure naming a claim of the other; it covers every claim of the two figures, including later ones.",
        [
            C("claim_id", str, "Id of the claim the review is recorded on.", True),
            C("other_claim_id", str, described(Review, "claim"), True),
            C("figure_id", str, "Figure of the claim."),
            C("other_figure_id", str, "Figure of the other claim."),
            C("detected_relation", str, "What the build detects between the two figures."),
            C("rationale", str, described(Review, "rationale"), True),
            C("path", str, "The claim file that records the review.", True),
            C("line", int, "Line of the review in that file.", True),
        ],
        pk=("claim_id", "other_claim_id"),
        foreign_keys=[("claim_id", "claims", "id"), ("other_claim_id", "claims", "id"), ("figure_id", "figures", "id"), ("other_figure_id", "figures", "id")],
        indexes=["other_claim_id", "figure_id", "other_figure_id"],
    ),
    Table(
        "not_claims",
        "Words of an archived text that an editor decided need no claim of their own (page remnants, navigation, datelines, headings that restate recorded claims), each with the reason; coverage counts the candidate expressions inside them as not claims.",
        [
            C("source_id", str, "Id of the source whose archive holds the words.", True),
            C("text", str, described(NotClaim, "text"), True),
            C("reason", str, described(NotClaim, "reason"), True),
            C("occurrence", int, described(NotClaim, "occurrence")),
            C("text_start", int, "Where the words start in sources.text: Unicode code points from 0, as quote_start.", True),
            C("text_end", int, "Where the words end in sources.text (exclusive).", True),
            C("path", str, "The source file that marks the words, in the claims directory.", True),
            C("line", int, "Line of the mark in that file.", True),
        ],
        pk=("source_id", "text_start", "text_end"),
        foreign_keys=[("source_id", "sources", "id")],
        indexes=[],
    ),
    Table(
        "coverage",
        "Every candidate expression the build finds in each archived text (a figure, a date or period, a legal characterisation, a reporting verb), with the claims that cover it, or the editor's reason why it carries no claim, or neither: `claimsdb suggest` proposes a claim for each uncovered one.",
        [
            C("source_id", str, "Id of the source whose archive holds the expression.", True),
            C("expression_start", int, "Where the expression starts in sources.text: Unicode code points from 0, as quote_start.", True),
            C("expression_end", int, "Where the expression ends in sources.text (exclusive).", True),
            C("category", str, "figure (a number or vague quantity with what it counts), date (a date or period), characterisation (a legal characterisation) or reporting (a reporting verb).", True),
            C("expression", str, "The expression as written in the archive.", True),
            C("line", int, "Line of the archived text the expression is on.", True),
            C("sentence", str, "The sentence of the archived text the expression is in.", True),
            C("status", str, "claim (a claim covers it), not-a-claim (inside words marked in not_claims) or uncovered.", True),
            C("claim_ids", str, "The claims that cover the expression, a JSON array: their quote contains it; or they record its words as their period or value and quote the same sentence; or, for a reporting verb, they are quoted, reported or attributed (not the outlet's own voice) and quote the same sentence."),
            C("not_claim_reason", str, "Why the editor decided the words around the expression need no claim of their own (from not_claims), when no claim covers it."),
        ],
        pk=("source_id", "expression_start", "expression_end", "category"),
        foreign_keys=[("source_id", "sources", "id")],
        indexes=["category", "status"],
    ),
]

PROVENANCE_COLUMNS = {
    "id": "Id of the claim.",
    "kind": "The claim's kind.",
    "statement": "The editor's sentence saying who asserts what.",
    "speaker_id": "Id of the speaker.",
    "speaker": "Name of the agent who asserts the claim.",
    "speaker_kind": "What sort of agent the speaker is.",
    "mode": "How the speaker's assertion appears in the source.",
    "reporter_id": "Id of the reporter (the source's publisher).",
    "reporter": "Name of the outlet that reports the claim.",
    "source_id": "Id of the source.",
    "source_title": "Title of the source.",
    "source_url": "Address of the source.",
    "source_published": "Publication date of the source, at its precision.",
    "credited_to": "Name of the agent the source credits, if any.",
    "subject_id": "Id of the subject.",
    "subject": "Name of what the claim is about.",
    "measure_id": "Id of the measure (quantity claims).",
    "measure": "Name of what the figure counts.",
    "value_text": "The figure as written.",
    "value_interval": "The interval the figure entails.",
    "value_suggested_interval": "The narrower interval its words usually suggest.",
    "figure_id": "Id of the figure the claim carries.",
    "hedges": "Hedging words of the quote, as written (a JSON array).",
    "value_low": "Lowest value the figure denotes.",
    "value_high": "Highest value the figure denotes.",
    "unit": "Unit of the figure.",
    "period_text": "When, as written.",
    "period_start": "First day the period can begin.",
    "period_end": "Last day the period can end.",
    "label": "Label applied (characterisation claims).",
    "modality": "How firmly the label is applied.",
    "role": "Role held (role claims).",
    "quote": "The exact words in the archived source.",
    "withdrawn": "Why the claim was withdrawn, if it was.",
}

CONFLICT_SIDE = ["id", "value_text", "value_interval", "value_suggested_interval", "hedges", "period_text", "period_start", "period_end", "speaker", "mode", "reporter", "source_id", "source_title", "source_published", "quote"]

# The views name agents, sources and subjects with correlated subqueries, not
# joins: SQLite evaluates a subquery column only for the rows it returns, so
# a page of 50 rows does 50 lookups, and counting or faceting a view of a
# million claims reads one index instead of joining six tables for every row
# (bench/results/serve.md). The foreign keys guarantee each lookup finds its row.
LOOKUPS = {
    "speaker": "(select name from agents where id = {speaker_id})",
    "speaker_kind": "(select kind from agents where id = {speaker_id})",
    "reporter": "(select name from agents where id = {reporter_id})",
    "source_title": "(select title from sources where id = {source_id})",
    "source_url": "(select url from sources where id = {source_id})",
    "source_published": "(select published from sources where id = {source_id})",
    "credited_to": "(select name from agents where id = (select credited_to_id from sources where id = {source_id}))",
    "subject": "(select name from subjects where id = {subject_id})",
    "measure": "(select name from measures where id = {measure_id})",
}


def provenance(column: str, claim_column) -> str:
    """SQL for a claims_with_provenance column, given ``claim_column(name)``,
    the SQL for a column of the claim."""
    if column in LOOKUPS:
        keys = {key: claim_column(key) for key in ("speaker_id", "reporter_id", "source_id", "subject_id", "measure_id")}
        return LOOKUPS[column].format(**keys)
    return claim_column(column)


def select_list(columns) -> str:
    """The columns of a select, one a line."""
    return ",\n  ".join(columns)


def own(name: str) -> str:
    return f"c.{name}"


def of_claim(id_sql: str):
    """Columns of the claim whose id is ``id_sql``, each by its primary key."""
    return lambda name: id_sql if name == "id" else f"(select {name} from claims where id = {id_sql})"


ESTIMATE_COLUMNS = ["measure_id", "measure", "unit", "value_low", "value_high", "value_interval", "value_suggested_interval", "value_text", "hedges",
                    "figure_id", "id", "speaker", "mode", "reporter", "source_title", "source_published", "quote", "withdrawn"]

# Claim pairs as users have queried them: the editors' declarations, and every
# claim of one figure against every claim of a figure it relates to. A view,
# so that a figure repeated by a thousand outlets costs a thousand rows, not
# a million; claims of the same figure are not paired (they share figure_id).
RELATIONS_SQL = """
select d.claim_id,
  d.other_claim_id,
  d.relation,
  'declared' as origin,
  d.rationale,
  d.path,
  d.line,
  d.detected_relation,
  d.detected_rationale
from declared_relations d
union all
select a.id as claim_id,
  b.id as other_claim_id,
  f.relation,
  'detected' as origin,
  f.rationale,
  null as path,
  null as line,
  f.relation as detected_relation,
  f.rationale as detected_rationale
from figure_relations f
join claims a on a.figure_id = f.figure_id
join claims b on b.figure_id = f.other_figure_id
where not exists (
  select 1
  from declared_relations d
  where (d.claim_id = a.id and d.other_claim_id = b.id)
    or (d.claim_id = b.id and d.other_claim_id = a.id)
)
"""
RELATIONS_COLUMNS = {
    "claim_id": "Id of the claim the relation is declared on (detected: the narrower for refines, the part for differs-in-scope).",
    "other_claim_id": "Id of the other claim.",
    "relation": "contradicts, in-tension, differs-in-scope, corroborates, refines or compatible.",
    "origin": "declared (by an editor, in a claim file) or detected (by the build, from the two claims' figures).",
    "rationale": "Why: the editor's words, or the comparison of both readings of both figures.",
    "path": "The claim file that declares the relation; empty when detected.",
    "line": "Line of the declaration in that file; empty when detected.",
    "detected_relation": "What the build's comparison of the two figures finds, even where an editor's declaration replaces it; empty when the claims are not comparable.",
    "detected_rationale": "The comparison of the two figures behind detected_relation.",
}


# Each relation once as declared and once the other way round: two arms of
# one UNION ALL, each naming its first and other claim. SQLite flattens it
# into the query that reads the view, so a page of 50 pairs reads 50 pairs
# and a filter on claim_id or other_id searches each arm's index; a join
# with a two-row table instead made SQLite materialize every relation first
# (31 s for the first page at a million claims, bench/results/serve.md).
CLAIM_SIDE = "p.first_id"
OTHER_SIDE = "p.second_id"


def sql_list(words: tuple[str, ...]) -> str:
    """Fixed words (relation names) as the list of SQL's `in (...)`."""
    return ", ".join(f"'{word}'" for word in words)


def side_by_side(name: str, description: str, relations: tuple[str, ...]) -> View:
    """A view of claim pairs in the given relations, in both directions, each side's provenance beside the other's."""
    listed = sql_list(relations)
    pairs = f"""
from (
  select r.relation, r.origin, r.rationale, r.claim_id as first_id, r.other_claim_id as second_id
  from relations r
  where r.relation in ({listed})
  union all
  select r.relation, r.origin, r.rationale, r.other_claim_id as first_id, r.claim_id as second_id
  from relations r
  where r.relation in ({listed})
) p
"""

    def select(claim, other) -> str:
        return select_list([
            "p.relation",
            "p.origin",
            "p.rationale",
            f"{claim('measure_id')} as measure_id",
            f"{claim('subject_id')} as subject_id",
            *(f"{provenance(c, claim)} as claim_{c}" for c in CONFLICT_SIDE),
            *(f"{provenance(c, other)} as other_{c}" for c in CONFLICT_SIDE),
        ])

    return View(
        name, description,
        f"""
select {select(of_claim(CLAIM_SIDE), of_claim(OTHER_SIDE))}{pairs}""",
        {
            "relation": " or ".join(relations) + ".",
            "origin": "declared or detected.",
            "rationale": "Why the two claims are related so.",
            "measure_id": "Measure of the first claim (quantity claims).",
            "subject_id": "Subject of the first claim.",
            **{f"claim_{c}": "First claim: " + PROVENANCE_COLUMNS[c][0].lower() + PROVENANCE_COLUMNS[c][1:] for c in CONFLICT_SIDE},
            **{f"other_{c}": "Other claim: " + PROVENANCE_COLUMNS[c][0].lower() + PROVENANCE_COLUMNS[c][1:] for c in CONFLICT_SIDE},
        },
    )


VIEWS = [
    View(
        "claims_with_provenance",
        "Each claim with its speaker, reporter (the outlet), source and subject named: the provenance chain in one row.",
        f"""
select {select_list(f"{provenance(c, own)} as {c}" for c in PROVENANCE_COLUMNS)}
from claims c
""",
        PROVENANCE_COLUMNS,
    ),
    View("relations", "How two claims relate: declared by an editor in a claim file, or detected by the build from the two claims' figures (every claim of one figure against every claim of the other). Claims of the same figure share figure_id and are not paired here.",
         RELATIONS_SQL, RELATIONS_COLUMNS),
    side_by_side(
        "conflicts",
        "Every pair of claims in conflict (contradicts: what their words entail cannot both be true; in-tension: what they entail overlaps, what they usually suggest does not), in both directions, with each side's value, speaker, reporter, source and quote side by side. Look-alikes that count different scopes are in look_alikes.",
        CONFLICTING,
    ),
    side_by_side(
        "look_alikes",
        "Pairs of claims whose figures look alike but count different things or scopes (differs-in-scope: a part against its whole, or a declaration that the two measure different things), in both directions, side by side. Not conflicts.",
        (LOOK_ALIKE,),
    ),
    View(
        "coverage_by_source",
        "For each source: how many candidate expressions the build finds in its archived text, how many claims cover, how many an editor marked as not claims, and how many nobody has dealt with yet.",
        # Counted per source, by index (idx_coverage_source_status), for the
        # rows a page shows; in source id order because the scan reads the
        # index idx_sources_in_order (no ORDER BY, which would keep SQLite
        # from flattening the view: counting its rows then computed every
        # source's figures, 3 s at a million claims).
        """
select s.id as source_id,
  s.title as source_title,
  (select count(*) from coverage c where c.source_id = s.id) as candidates,
  (select count(*) from coverage c where c.source_id = s.id and c.status = 'claim') as covered_by_claims,
  (select count(*) from coverage c where c.source_id = s.id and c.status = 'not-a-claim') as not_claims,
  (select count(*) from coverage c where c.source_id = s.id and c.status = 'uncovered') as uncovered,
  (select case when count(*) = 0 then 100.0
     else round(100.0 * sum(c.status != 'uncovered') / count(*), 1) end
   from coverage c where c.source_id = s.id) as percent_covered
from sources s indexed by idx_sources_in_order
""",
        {
            "source_id": "Id of the source.",
            "source_title": "Title of the source.",
            "candidates": "Candidate expressions found in the archived text.",
            "covered_by_claims": "Candidates a claim covers.",
            "not_claims": "Candidates inside words an editor marked as carrying no claim.",
            "uncovered": "Candidates neither covered nor marked: `claimsdb suggest` lists them.",
            "percent_covered": "Share of candidates covered or marked, in per cent (100 when there are none).",
        },
    ),
    View(
        "estimates",
        "Every figure for every measure, one row per quantity claim, lowest interval first within each measure: the spread of figures on one page (facet or filter by measure_id; each measure_id links to the chart of its figures).",
        # In the order of the index idx_claims_estimates (measure_id,
        # value_low, ifnull(value_high, 9e999), id: NULL, an open lower bound,
        # sorts first; an open upper bound sorts as the largest number),
        # because the scan reads that index (INDEXED BY), not through an
        # ORDER BY: SQLite does not flatten a view with ORDER BY into a count
        # or a facet, which then computed every row's names (4.5 s a page at
        # a million claims); flattened, they read the index alone.
        f"""
select {select_list(f"{provenance(c, own)} as {c}" for c in ESTIMATE_COLUMNS)}
from claims c indexed by idx_claims_estimates
where c.kind = 'quantity'
""",
        {c: PROVENANCE_COLUMNS[c] for c in ESTIMATE_COLUMNS},
    ),
]

# Indexes beyond one per faceted column: (name, table, columns or expressions, where or None).
EXTRA_INDEXES = [
    ("idx_claims_estimates", "claims", "measure_id, value_low, ifnull(value_high, 9e999), id", "kind = 'quantity'"),
    # coverage_by_source: each source's candidates by status, from the index alone.
    ("idx_coverage_source_status", "coverage", "source_id, status", None),
    # coverage_by_source reads sources in id order through it (a view
    # cannot name the primary key's automatic index).
    ("idx_sources_in_order", "sources", "id", None),
    # The canned queries figures_for_measure and uncovered_expressions (metadata.yml)
    # read their rows in their order from these, instead of sorting the table.
    ("idx_claims_figures_for_measure", "claims", "measure_id, value_low is null, value_low, value_high is null, value_high, id", "kind = 'quantity'"),
    ("idx_coverage_uncovered", "coverage", "source_id, expression_start, category", "status = 'uncovered'"),
    # The relations view pairs the claims of two figures: this finds each
    # figure's claims and their ids from the index alone (with figure_id's
    # own index every pair read both claims' rows, long with their quotes:
    # counting conflicts at a million claims took 8.5 s of CPU, with this
    # 4.1 s; bench/results/serve.md). The canned query conflicts_side_by_side
    # reads it too.
    ("idx_claims_figure_claims", "claims", "figure_id, id", None),
]
