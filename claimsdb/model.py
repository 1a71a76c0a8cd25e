"""The pydantic models: the one schema of every file in ``claims/``.

JSON Schema, error messages and the column descriptions in metadata.yml are
all derived from the ``description`` of these fields, so they are written
here once.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal, Union

from . import calendars

from pydantic_core import PydanticCustomError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]
# The language of a wording of the value table: a BCP 47 primary subtag.
WordingLanguage = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
LANGUAGE_DESCRIPTION = "The language of the wordings, as the primary subtag of a BCP 47 tag ('en', 'fa', 'ar'): a figure is read with the wordings of its source's language (with the English ones when the table has none for it)."

# A bound such as "1988", "1988-07", "1988-07-19", "early 1988-09" or
# "summer 1988" ("تابستان 1367" in the Solar Hijri calendar). The qualifier
# words are data (value_semantics in measures.yml); the model only checks the
# shape and that the date exists in the claim's calendar.
QUALIFIER_PATTERN = r"[^\W\d_][\w-]*"
BOUND_PATTERN = re.compile(
    rf"^(?:(?P<qualifier>{QUALIFIER_PATTERN}) )?"
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$"
)

AgentKind = Literal[
    "person",
    "organisation",
    "government-body",
    "intergovernmental-body",
    "ngo",
    "media-outlet",
    "court",
    "unnamed-group",
]
SubjectKind = Literal["event", "place", "person", "document", "group", "topic"]
Mode = Literal["own-voice", "quoted", "reported", "attributed-belief"]
Modality = Literal["is", "meets-criteria", "may-amount-to", "denies"]
DeclaredRelation = Literal["contradicts", "differs-in-scope", "corroborates", "refines"]


def check_date_parts(year: str, month: str | None, day: str | None, calendar: str = calendars.GREGORIAN) -> None:
    """Raise ValueError unless the (partial) date exists in the calendar."""
    calendars.check_date_parts(calendar, year, month, day)


def validate_partial_date(value: object, calendar: str | None = None) -> object:
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return value
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        raise ValueError(f"{value!r} is not a date — write it as YYYY, YYYY-MM or YYYY-MM-DD")
    check_date_parts(*match.groups(), calendar or calendars.GREGORIAN)
    return value


def validate_bound(value: object, calendar: str | None = None) -> object:
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return value
    match = BOUND_PATTERN.match(value)
    if not match:
        raise ValueError(
            f"{value!r} is not a period bound — write YYYY, YYYY-MM or YYYY-MM-DD, optionally "
            "after a qualifier from measures.yml such as 'early 1988-09' or 'summer 1988'"
        )
    check_date_parts(match["year"], match["month"], match["day"], calendar or calendars.GREGORIAN)
    return value


ARCHIVE_PATTERN = r"^sources/[^/]+\.txt$"


def validate_archive(value: object) -> object:
    """An archive is a .txt file directly in claims/sources/; say so plainly
    when a path tries to leave it (``../../etc/passwd``)."""
    if not isinstance(value, str) or re.fullmatch(ARCHIVE_PATTERN, value):
        return value
    fix = "archive the text as claims/sources/<source-id>.txt and write `archive: sources/<source-id>.txt`"
    if value.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", value) or not value.startswith("sources/"):
        raise ValueError(f"{value!r} points outside claims/sources/ — {fix}")
    raise ValueError(f"{value!r} is not a .txt file directly in claims/sources/ — {fix}")


ORIGINAL_PATTERN = r"^sources/originals/[^/]+\.(?:html?|xhtml|pdf|warc|warc\.gz|wacz)$"
OriginalFormat = Literal["html", "pdf", "warc", "wacz"]


def validate_original(value: object) -> object:
    """An original lies directly in claims/sources/originals/, named by the
    source id and keeping its format's extension."""
    if not isinstance(value, str) or re.fullmatch(ORIGINAL_PATTERN, value, flags=re.I):
        return value
    fix = "keep the original as claims/sources/originals/<source-id>.<html|pdf|warc.gz|wacz> (claimsdb add-source does) and write that path relative to claims/"
    if value.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", value) or not value.startswith("sources/originals/"):
        raise ValueError(f"{value!r} points outside claims/sources/originals/ — {fix}")
    raise ValueError(f"{value!r} is not a saved page, PDF or capture directly in claims/sources/originals/ — {fix}")


def check_low_not_above_high(model, low: str = "low", high: str = "high"):
    low_value, high_value = getattr(model, low), getattr(model, high)
    if low_value is not None and high_value is not None and low_value > high_value:
        raise ValueError(f"`{low}` ({low_value:f}) is greater than `{high}` ({high_value:f}) — swap them or correct one")
    return model


# Bounds are exact decimals: 0.1 is one tenth, and a figure longer than the
# 15 significant digits a REAL column keeps exactly is refused. YAML gives
# numbers; a string here is a mistake, not a number to parse.
def number_not_text(value: object) -> object:
    if isinstance(value, (str, bool)):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


Bound = Annotated[Decimal, Field(ge=0, max_digits=15, allow_inf_nan=False), WithJsonSchema({"type": "number", "minimum": 0})]


PartialDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]

# `claimsdb suggest` writes this where only an editor can decide (ids,
# subject, statement ...); a value still starting with it fails the check.
PLACEHOLDER = "TODO"


def reject_placeholder(model: type[BaseModel], value: object, field_name: str) -> object:
    if isinstance(value, str) and value.startswith(PLACEHOLDER):
        description = model.model_fields[field_name].description or ""
        raise ValueError(
            f"still the placeholder {value if len(value) <= 30 else value[:29] + '…'!r} that `claimsdb suggest` writes — "
            f"replace it with {description[:1].lower() + description[1:]}"
        )
    return value


class Strict(BaseModel):
    """Unknown fields are errors: a typo must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


class Affiliation(Strict):
    agent: Slug = Field(description="Id of the agent this one is affiliated with (in agents.yml).")
    role: Text = Field(description="The nature of the affiliation, in neutral words (e.g. 'member', 'publishes reports of').")
    note: Text | None = Field(None, description="On what basis the affiliation is recorded.")


class Agent(Strict):
    id: Slug = Field(description="Stable identifier of the agent, a lower-case slug.")
    name: Text = Field(description="The agent's name as commonly written.")
    kind: AgentKind = Field(description="What sort of agent this is.")
    aliases: list[Text] = Field(default_factory=list, description="Other names the sources use for the agent.")
    description: Text | None = Field(None, description="A neutral one-line description written by the editor.")
    affiliations: list[Affiliation] = Field(default_factory=list, description="Other agents this agent belongs to or is aligned with, each with its role.")


class Subject(Strict):
    id: Slug = Field(description="Stable identifier of the subject, a lower-case slug.")
    name: Text = Field(description="Name of the event, place, person or thing.")
    kind: SubjectKind = Field(description="What sort of subject this is.")
    description: Text | None = Field(None, description="A neutral one-line description written by the editor.")
    part_of: Slug | None = Field(None, description="Id of a wider subject this one belongs to.")


class Measure(Strict):
    id: Slug = Field(description="Stable identifier of the measure, a lower-case slug.")
    name: Text = Field(description="What the quantity counts, in plain words.")
    unit: Text = Field(description="The unit of the count (people, cities, months ...).")
    description: Text | None = Field(None, description="What is and is not counted under this measure.")


class Comparator(Strict):
    comparator: Literal["exactly", "about", "at least", "more than", "at most", "fewer than", "between"] = Field(
        description="The comparator's name."
    )
    wordings: list[str] = Field(min_length=1, description="Words that introduce a figure with this comparator, matched case-insensitively at the start of the value as written ('' for a bare number); for a range, the whole wording with {a} and {b} where the two numbers stand ('between {a} and {b}', '{a}–{b}').")
    language: WordingLanguage = Field("en", description=LANGUAGE_DESCRIPTION)
    interval: Literal["[n, n]", "[n-t, n+t]", "[n, inf)", "(n, inf)", "[0, n]", "[0, n)", "[a, b]"] = Field(
        description="The interval a figure n (or a to b) entails: what the words say, which no speaker can cancel; t is the tolerance for 'about'."
    )
    suggests: Literal["[n, r*n)", "(n, r*n)", "[n/r, n]", "[n/r, n)"] | None = Field(
        None, description="The narrower interval the words usually suggest but do not say ('more than 30,000': not far above it), r being suggestion_ratio; empty when they suggest nothing more than they entail."
    )
    description: Text = Field(description="Why the comparator denotes this interval.")

    @model_validator(mode="after")
    def _ranges_name_both_numbers(self):
        for wording in self.wordings:
            is_range = "{a}" in wording or "{b}" in wording
            if self.interval == "[a, b]" and not ("{a}" in wording and "{b}" in wording and wording.index("{a}") < wording.index("{b}")):
                raise ValueError(f"the range wording {wording!r} does not hold {{a}} before {{b}} — write it as 'between {{a}} and {{b}}'")
            if self.interval != "[a, b]" and is_range:
                raise ValueError(f"the wording {wording!r} holds {{a}}/{{b}}, which only a range ('[a, b]') reads — remove them, or move the wording to the range comparator")
        return self


class VagueQuantity(Strict):
    wording: Text = Field(description="The vague quantity as written, matched case-insensitively.")
    language: WordingLanguage = Field("en", description=LANGUAGE_DESCRIPTION)
    low: Bound = Field(description="Lowest value the wording entails (inclusive): 'thousands' says at least 2,000.")
    high: Bound | None = Field(None, description="Value the wording entails staying below (exclusive); empty when the words set no upper bound ('thousands, perhaps tens of thousands' is not a contradiction).")
    suggested_low: Bound | None = Field(None, description="Lowest value the wording usually suggests (inclusive), when narrower than low; empty for low.")
    suggested_high: Bound | None = Field(None, description="Value the wording usually suggests staying below (exclusive): 'thousands' usually means fewer than 10,000, though a speaker can cancel it; empty for high.")
    description: Text = Field(description="Why the wording denotes these intervals.")

    _not_text = field_validator("low", "high", "suggested_low", "suggested_high", mode="before")(lambda cls, v: number_not_text(v))

    @model_validator(mode="after")
    def _suggested_within_entailed(self):
        check_low_not_above_high(self)
        check_low_not_above_high(self, "suggested_low", "suggested_high")
        low = self.low if self.suggested_low is None else self.suggested_low
        if low < self.low or (self.high is not None and (low >= self.high or (self.suggested_high or self.high) > self.high)):
            raise ValueError("the suggested interval reaches outside the entailed one — a suggestion can only narrow what the words say: correct suggested_low/suggested_high")
        return self


class Multiplier(Strict):
    wording: Text = Field(description="A word after a number that multiplies it ('thousand', 'million'), matched case-insensitively.")
    language: WordingLanguage = Field("en", description=LANGUAGE_DESCRIPTION)
    factor: Bound = Field(description="What the word multiplies the number by (1000 for 'thousand').")

    _not_text = field_validator("factor", mode="before")(lambda cls, v: number_not_text(v))


class PeriodQualifier(Strict):
    qualifier: Annotated[str, StringConstraints(pattern=r"^[^\W\d_][\w-]*$", max_length=100)] = Field(description="The word written before a date bound, as in 'early 1988-09' or 'تابستان 1367': letters, in any script, and hyphens.")
    applies_to: Literal["month", "year"] = Field(description="Whether the qualifier narrows a month or a year.")
    first: str = Field(description="First day the qualifier denotes: a day of the month ('01') or a month and day of the year ('06-01').")
    last: str = Field(description="Last day the qualifier denotes: a day of the month ('10', 'end') or a month and day of the year ('08-31', '12-end').")
    calendar: Literal["gregorian", "solar-hijri"] = Field("gregorian", description="The calendar whose months and years the qualifier narrows: gregorian (the default) or solar-hijri.")
    description: Text = Field(description="Why the qualifier denotes these days.")

    @model_validator(mode="after")
    def _days_exist(self):
        # A qualifier applies to every month (or every year), so its days
        # must exist in every one: 01-28 of a month, no 02-29 of a year.
        if self.applies_to == "month":
            if not re.fullmatch(r"0[1-9]|1\d|2[0-8]", self.first):
                raise ValueError(f"`first` {self.first!r} is not a day every month has — write a day from 01 to 28")
            if self.last != "end" and not re.fullmatch(r"0[1-9]|[12]\d|3[01]", self.last):
                raise ValueError(f"`last` {self.last!r} is not a day of the month — write a day from 01 to 31, or end")
            if self.last != "end" and self.first > self.last:
                raise ValueError(f"`first` ({self.first}) is after `last` ({self.last}) — swap them or correct one")
            return self
        shortest = calendars.SHORTEST_MONTHS[self.calendar]
        for name in ("first", "last"):
            value = getattr(self, name)
            match = re.fullmatch(r"(\d{2})-(\d{2}|end)", value)
            if match and match[2] == "end" and name == "last" and 1 <= int(match[1]) <= 12:
                continue
            if not match or match[2] == "end" or not 1 <= int(match[1]) <= 12 or not 1 <= int(match[2]) <= shortest[int(match[1]) - 1]:
                leap = "02-29" if self.calendar == "gregorian" else "12-30"
                raise ValueError(f"`{name}` {value!r} is not a day of every year — write MM-DD, such as 06-01 ({leap} is not in every year; write MM-end for the last day of a month)")
        if self.first > self.last.replace("end", "99"):
            raise ValueError(f"`first` ({self.first}) is after `last` ({self.last}) — a qualifier cannot run over the new year: swap them or correct one")
        return self


class ValueSemantics(Strict):
    about_tolerance: Decimal = Field(gt=0, lt=1, max_digits=15, description="Relative tolerance of 'about': 0.1 reads 'around 30,000' as [27,000, 33,000].")
    suggestion_ratio: Decimal = Field(Decimal(2), gt=1, max_digits=15, description="How far a bound is usually taken to reach (r): 'more than 30,000' suggests fewer than r × 30,000, 'up to 30,000' at least 30,000 ÷ r.")
    comparators: list[Comparator] = Field(min_length=1, description="How wording before a number maps to an interval.")
    multipliers: list[Multiplier] = Field(default_factory=list, description="Words after a number that multiply it ('1.5 million').")
    vague_quantities: list[VagueQuantity] = Field(default_factory=list, description="Vague quantities and the interval each denotes.")
    period_qualifiers: list[PeriodQualifier] = Field(default_factory=list, description="Words that narrow a month or a year in a period bound.")


class MeasuresFile(Strict):
    measures: list[Measure] = Field(description="What quantity claims count.")
    value_semantics: ValueSemantics = Field(description="The published table of how wording maps to intervals.")


class AgentsFile(Strict):
    agents: list[Agent] = Field(description="People and organisations that speak, report and publish.")


class SubjectsFile(Strict):
    subjects: list[Subject] = Field(description="Events, places and things claims are about.")


class Relation(Strict):
    relation: DeclaredRelation = Field(description="How this claim relates to the other one.")
    claim: Slug = Field(description="Id of the other claim.")
    rationale: Text = Field(description="Why the editor relates the two claims, in neutral words that say who asserts what.")


EDITOR = "editor"


class Translation(Strict):
    text: Text = Field(description="The quote in English.")
    by: Slug = Field(description="Who translated the quote: `editor` for the editors of this database, or the id of the agent (in agents.yml) whose published translation this is.")
    published_in: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(None, description="Address where the published translation appeared; empty for the editors' own.")

    @model_validator(mode="after")
    def _published_or_editors(self):
        if self.by == EDITOR and self.published_in is not None:
            raise ValueError("`published_in` with `by: editor` — the editors' own translation was not published elsewhere: remove `published_in`, or name the translator in `by`")
        if self.by != EDITOR and self.published_in is None:
            raise ValueError(f"a translation by `{self.by}` without `published_in` — give the address where it was published, or write `by: editor` if the editors translated it")
        return self


ChainHow = Literal["quotes", "cites", "reports", "summarises", "translates", "republishes"]


class ChainLink(Strict):
    agent: Slug = Field(description="Id of the agent through whom the claim passes (in agents.yml).")
    how: ChainHow = Field(description="How this agent passes the claim on: quotes (gives the words as said), cites (names its source for them), reports (tells of them in its own words), summarises, translates or republishes.")
    note: Text | None = Field(None, description="What the source says of this link, in neutral words (e.g. 'citing a 2021 report').")


class Review(Strict):
    claim: Slug = Field(description="Id of a claim of the other figure.")
    rationale: Text = Field(description="What the editor read and why the detected relation stands as the build reads it, in neutral words that say who asserts what.")


class ClaimBase(Strict):
    # One of the two ways to name who asserts it, for editors' schema checks too.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [{"required": ["speaker"]}, {"required": ["speakers"]}]})

    id: Slug = Field(description="Stable identifier of the claim, unique across the corpus; never changes once published.")
    subject: Slug = Field(description="Id of what the claim is about (in subjects.yml).")
    speaker: Slug | None = Field(None, description="Id of the agent who asserts the claim (in agents.yml); the publisher itself when the outlet speaks in its own voice. For a joint statement give `speakers` instead.")
    speakers: list[Slug] | None = Field(None, description="Ids of the agents who assert the claim jointly (a joint statement), in the order the source names them; the first is the claim's speaker. Give either `speaker` or `speakers`.")
    via: list[ChainLink] = Field(default_factory=list, description="The chain of attribution between speaker and reporter, in order from the speaker to the source's publisher: each agent through whom the source says the claim reached it, and how it passed it on ('Wikipedia, citing Human Rights Watch, reports ...').")
    mode: Mode = Field(description="How the speaker's assertion appears in the source: own-voice, quoted, reported or attributed-belief.")
    statement: Text = Field(description="One plain sentence, written by the editor, saying who asserts what.")
    quote: Text = Field(description="The exact words in the archived source text that carry the claim.")
    occurrence: int | None = Field(None, ge=1, description="Which occurrence of the quote is meant (1 is the first) when the words occur more than once in the archive.")
    translation: Translation | None = Field(None, description="An English translation of the quote, with who made it, when the source is not in English; the statement stays the editors' English summary.")
    period: Text | None = Field(None, description="When, as written in the source ('between July and early September 1988').")
    calendar: Literal["gregorian", "solar-hijri"] | None = Field(None, description="The calendar start and end are written in: solar-hijri (the Iranian calendar, in which 1988-07-23 is 1367-05-01) or gregorian; empty is gregorian.")
    start: str | None = Field(None, description="Earliest bound of the period: YYYY, YYYY-MM or YYYY-MM-DD, optionally after a qualifier ('early 1988-09', 'summer 1988').")
    end: str | None = Field(None, description="Latest bound of the period, in the same form as start.")
    scope: Slug | None = Field(None, description="Id of the subject (in subjects.yml) the figure is limited to, when narrower than the claim's subject: a prison, a city or a province that is part_of it, directly or through other parts. Detection compares the figure with the others of that part, and with the wider subjects' as a part with its whole.")
    hedges: list[Text] = Field(default_factory=list, description="Hedging words of the quote, exactly as written there ('could run into', 'possibly', 'allegedly'); shown wherever the claim's figure is shown.")
    note: Text | None = Field(None, description="Editor's note: how the claim was read, in neutral words.")
    withdrawn: Text | None = Field(None, description="Why the claim was withdrawn; a withdrawn claim is kept, never deleted.")
    relations: list[Relation] = Field(default_factory=list, description="Relations an editor declares from this claim to others.")
    revision: int | None = Field(None, ge=1, description="Which earlier capture of the source the quote stands in (1 is the first item of the source's `revisions`), when it is not in the current one: `claimsdb reanchor --apply` keeps a quote it could not move exactly anchored where it was; empty for the current capture.")
    reviewed: list[Review] = Field(default_factory=list, description="Detected relations an editor has looked at and accepts as the build reads them: each names a claim of the other figure; it covers every claim of the two figures.")

    _validate_start = field_validator("start", "end", mode="before")(lambda cls, v, info: validate_bound(v, info.data.get("calendar")))

    # Every field an editor fills in a stub (`kind` is the union's
    # discriminator, which pydantic lets no validator touch).
    @field_validator(
        "id", "subject", "speaker", "mode", "statement", "quote", "period", "start", "end", "scope", "note",
        "withdrawn", "measure", "value", "label", "modality", "agent", "role", "demand", "addressed_to",
        mode="before", check_fields=False,
    )
    @classmethod
    def _not_a_placeholder(cls, value, info):
        return reject_placeholder(cls, value, info.field_name)

    @model_validator(mode="after")
    def _one_way_to_name_speakers(self):
        if self.speakers is not None:
            if self.speaker is not None:
                raise ValueError("both `speaker` and `speakers` — give `speaker` for one agent, or `speakers` (all of them, the first leading) for a joint statement")
            if len(self.speakers) < 2:
                raise ValueError(f"`speakers` names one agent — write `speaker: {self.speakers[0] if self.speakers else '<agent-id>'}`; `speakers` is for a joint statement of two or more")
            if len(set(self.speakers)) < len(self.speakers):
                repeated = next(s for s in self.speakers if self.speakers.count(s) > 1)
                raise ValueError(f"`speakers` names `{repeated}` twice — name each joint speaker once")
            self.speaker = self.speakers[0]
        elif self.speaker is None:
            raise ValueError("missing field `speaker` — add `speaker:` (Id of the agent who asserts the claim (in agents.yml)), or `speakers:` for a joint statement")
        return self

    @property
    def all_speakers(self) -> list[str]:
        return self.speakers or [self.speaker]

    @model_validator(mode="after")
    def _period_bounds(self):
        if (self.start is None) != (self.end is None):
            raise ValueError("a period needs both `start` and `end` — give both (the same value for a single date)")
        if self.start is not None and self.period is None:
            raise ValueError("`start`/`end` without `period` — add `period:` with the words of the source that give the date")
        if self.calendar is not None and self.start is None:
            raise ValueError("`calendar` without `start`/`end` — give the bounds in that calendar, or remove `calendar`")
        for hedge in self.hedges:
            if hedge not in self.quote:
                raise ValueError(f"the hedge {hedge!r} is not in the quote — copy the hedging words exactly as the quote has them, or extend the quote to hold them")
        return self


class QuantityClaim(ClaimBase):
    kind: Literal["quantity"] = Field(description="The claim's kind.")
    measure: Slug = Field(description="Id of what the figure counts (in measures.yml).")
    value: Text = Field(description="The figure as written in the source ('more than 30,000', 'thousands').")
    low: Bound | None = Field(None, description="Lowest value the figure denotes, when the editor gives the interval explicitly; empty for the value_semantics table to decide, or for zero (figures count).")
    high: Bound | None = Field(None, description="Highest value the figure denotes, when given explicitly; empty when unbounded above or decided by the table.")
    low_exclusive: bool = Field(False, description="The interval excludes low itself ('more than').")
    high_exclusive: bool = Field(False, description="The interval excludes high itself ('fewer than').")

    _not_text = field_validator("low", "high", mode="before")(lambda cls, v: number_not_text(v))

    @model_validator(mode="after")
    def _low_not_above_high(self):
        check_low_not_above_high(self)
        # An exclusion without its bound says nothing the database could keep.
        if self.low is not None and self.low == self.high and (self.low_exclusive or self.high_exclusive):
            raise ValueError("`low` equals `high` and an end is excluded, which leaves no number — remove low_exclusive/high_exclusive, or correct a bound")
        if self.low is None and self.high == 0 and self.high_exclusive:
            raise ValueError("`high: 0` excluded leaves no number (figures count from zero) — remove high_exclusive, or correct high")
        for bound in ("low", "high"):
            if getattr(self, f"{bound}_exclusive") and getattr(self, bound) is None:
                raise ValueError(f"`{bound}_exclusive` without `{bound}` — give `{bound}:` or remove `{bound}_exclusive`")
        return self


class PeriodClaim(ClaimBase):
    kind: Literal["period"] = Field(description="The claim's kind.")
    period: Text = Field(description="When, as written in the source ('between July and early September 1988').")
    start: str = Field(description="Earliest bound of the period: YYYY, YYYY-MM or YYYY-MM-DD, optionally after a qualifier ('early 1988-09', 'summer 1988').")
    end: str = Field(description="Latest bound of the period, in the same form as start.")


class CharacterisationClaim(ClaimBase):
    kind: Literal["characterisation"] = Field(description="The claim's kind.")
    label: Text = Field(description="The label applied ('genocide', 'crime against humanity').")
    modality: Modality = Field(description="How firmly the label is applied: is, meets-criteria, may-amount-to, denies.")


class RoleClaim(ClaimBase):
    kind: Literal["role"] = Field(description="The claim's kind.")
    agent: Slug = Field(description="Id of the agent said to hold the role.")
    role: Text = Field(description="The role, in the editor's words ('member of the death commission').")


class EventClaim(ClaimBase):
    kind: Literal["event"] = Field(description="The claim's kind.")


class DemandClaim(ClaimBase):
    kind: Literal["demand"] = Field(description="The claim's kind.")
    demand: Text = Field(description="What is called for, in the editor's words ('an international investigation').")
    addressed_to: Text | None = Field(None, description="Who is called upon, as written in the source ('the U.S. and Europe').")


Claim = Annotated[
    Union[QuantityClaim, PeriodClaim, CharacterisationClaim, RoleClaim, EventClaim, DemandClaim],
    Field(discriminator="kind"),
]
CLAIM_MODELS = {m.model_fields["kind"].annotation.__args__[0]: m for m in Claim.__origin__.__args__}


class NotClaim(Strict):
    text: Text = Field(description="Words of the archived text that need no claim of their own (a page remnant, navigation, a dateline, a heading that restates recorded claims), exactly as they stand there; every candidate expression inside them counts as not a claim.")
    reason: Text = Field(description="Why the editor decides these words need no claim of their own, in neutral words (naming the claims that record what they restate).")
    occurrence: int | None = Field(None, ge=1, description="Which occurrence of the text is meant (1 is the first) when the words occur more than once in the archive.")

    @field_validator("*", mode="before")
    @classmethod
    def _not_a_placeholder(cls, value, info):
        return reject_placeholder(cls, value, info.field_name)


class Revision(Strict):
    """An earlier capture of the same document, kept when a newer one replaced it (`claimsdb reanchor --apply`)."""

    archive: Annotated[str, StringConstraints(pattern=ARCHIVE_PATTERN)] = Field(description="Path of that capture's archived text, relative to claims/.")
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(description="SHA-256 of that archived text's bytes.")
    original: str | None = Field(None, description="Path of that capture's original, relative to claims/, if it had one.")
    original_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(None, description="SHA-256 of that original's bytes.")
    original_format: OriginalFormat | None = Field(None, description="What that original is: html, pdf, warc or wacz.")
    extractor: Text | None = Field(None, description="The library and version that extracted that capture's text.")
    original_characters: int | None = Field(None, ge=0, description="Characters of all the text in that original.")
    pages: list[Annotated[int, Field(ge=0)]] | None = Field(None, description="For a PDF: where each page starts in that capture's text.")
    retrieved: PartialDate | None = Field(None, description="When that capture was retrieved, if known.")
    replaced: PartialDate | None = Field(None, description="When a newer capture replaced it as the source's current one.")

    _validate_archive = field_validator("archive", mode="before")(lambda cls, v: validate_archive(v))
    _validate_original = field_validator("original", mode="before")(lambda cls, v: validate_original(v))
    _validate_dates = field_validator("retrieved", "replaced", mode="before")(lambda cls, v: validate_partial_date(v))


class Source(Strict):
    id: Slug = Field(description="Stable identifier of the source, a lower-case slug; the file is claims/<id>.yml.")
    title: Text = Field(description="Title of the document as published.")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] = Field(description="Address the document was published at.")
    publisher: Slug = Field(description="Id of the agent that published the document (the reporter of its claims).")
    credited_to: Slug | list[Slug] | None = Field(None, description="Id of the agent the document credits as its author or origin, when it names one; a list of ids, in the document's order, when it credits several.")
    host: Slug | None = Field(None, description="Id of the agent whose site carries the copy that was archived, when that is not the publisher (an archive or mirror site carrying the publisher's document).")
    hosted: PartialDate | None = Field(None, description="When the host put up its copy, at the precision known: YYYY, YYYY-MM or YYYY-MM-DD; `published` stays the publisher's date.")
    published_calendar: Literal["gregorian", "solar-hijri"] | None = Field(None, description="The calendar `published`, `published_not_before` and `published_not_after` are written in, as the document dates itself: solar-hijri (a Persian document dated 1367-05) or gregorian; empty is gregorian.")
    published: PartialDate | None = Field(None, description="Publication date at the precision the document gives: YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown.")
    published_not_before: PartialDate | None = Field(None, description="When only bounds are known: the earliest the document can have been published (YYYY, YYYY-MM or YYYY-MM-DD; 'after July 2022' is 2022-08).")
    published_not_after: PartialDate | None = Field(None, description="When only bounds are known: the latest the document can have been published, in the same form.")
    undated: bool = Field(False, description="The document carries no publication date (as opposed to a date not yet recorded); bounds may still be given.")
    published_note: Text | None = Field(None, description="How the publication date was established.")
    retrieved: PartialDate | None = Field(None, description="When the archived copy was retrieved, if known.")
    archived_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(None, description="Address of an independent archived copy of the document (a web-archive snapshot, e.g. https://web.archive.org/web/20210903000000/https://example.org/...).")
    excerpt: Text | None = Field(None, description="When the archived text is only part of the document: which part it is and how it was obtained; empty when it is the whole text as extracted.")
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")] = Field(description="Language of the text, as a BCP 47 tag ('en').")
    archive: Annotated[str, StringConstraints(pattern=ARCHIVE_PATTERN)] = Field(description="Path of the archived text, relative to claims/ (sources/<id>.txt).")
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(description="SHA-256 of the archived text's bytes, in lower-case hex.")
    original: str | None = Field(None, description="Path of the original as captured (saved page, PDF or web-archive capture), relative to claims/ (sources/originals/<id>.<extension>), kept byte for byte as the evidentiary copy; empty when the archived text is itself the original.")
    original_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(None, description="SHA-256 of the original's bytes, in lower-case hex.")
    original_format: OriginalFormat | None = Field(None, description="What the original is: html (a saved web page), pdf, warc (a WARC capture, .warc or .warc.gz) or wacz (a WACZ web archive).")
    extractor: Text | None = Field(None, description="The library and version that extracted the archived text from the original ('trafilatura 2.3.1'; 'warcio 1.8.1, trafilatura 2.3.1' for a capture), as `claimsdb add-source` records it; `claimsdb verify-sources` extracts again with it.")
    original_characters: int | None = Field(None, ge=0, description="Characters of all the text in the original (a page's navigation and footers included, white space collapsed), as add-source counts them; a working text far shorter is flagged as possibly cut off.")
    pages: list[Annotated[int, Field(ge=0)]] | None = Field(None, description="For a PDF: where each page starts in the archived text (code points from 0, the first page at 0), so each quote knows the page or pages it stands on.")
    revisions: list[Revision] = Field(default_factory=list, description="Earlier captures of the same document, oldest first, each kept with its text and original when a newer capture became the current one (`claimsdb reanchor --apply`); a claim with `revision: N` quotes the N-th.")
    not_claims: list[NotClaim] = Field(default_factory=list, description="Words of the archive that an editor decides need no claim of their own, each with the reason; `claimsdb coverage` counts the candidate expressions inside them as not claims.")
    claims: list[Claim] = Field(default_factory=list, description="Every claim the document carries.")

    _validate_dates = field_validator("retrieved", "hosted", mode="before")(lambda cls, v: validate_partial_date(v))
    _validate_publication_dates = field_validator("published", "published_not_before", "published_not_after", mode="before")(
        lambda cls, v, info: validate_partial_date(v, info.data.get("published_calendar")))

    @property
    def credited(self) -> list[str]:
        """Every agent the document credits, in its order."""
        if self.credited_to is None:
            return []
        return [self.credited_to] if isinstance(self.credited_to, str) else list(self.credited_to)

    @model_validator(mode="after")
    def _dates_known_one_way(self):
        bounds = [name for name in ("published_not_before", "published_not_after") if getattr(self, name) is not None]
        if self.published is not None and bounds:
            raise ValueError(f"both `published` and `{bounds[0]}` — give the date when the document states it, or bounds when only they are known")
        if self.published_calendar is not None and self.published is None and self.published_not_before is None and self.published_not_after is None:
            raise ValueError("`published_calendar` without a publication date — give `published` (or its bounds) in that calendar, or remove `published_calendar`")
        if self.published is not None and self.undated:
            raise ValueError("`undated: true` with a `published` date — remove one: `undated` says the document gives no date")
        low, high = self.published_not_before, self.published_not_after
        if low is not None and high is not None and high < low[:len(high)]:
            raise ValueError(f"`published_not_after` ({high}) is before `published_not_before` ({low}) — swap them or correct one")
        if isinstance(self.credited_to, list) and len(set(self.credited_to)) < len(self.credited_to):
            raise ValueError("`credited_to` names an agent twice — name each credited agent once")
        if self.hosted is not None and self.host is None:
            raise ValueError("`hosted` without `host` — add `host:` (the agent whose site carries the copy), or remove `hosted`")
        return self
    _validate_archive = field_validator("archive", mode="before")(lambda cls, v: validate_archive(v))
    _validate_original = field_validator("original", mode="before")(lambda cls, v: validate_original(v))

    @model_validator(mode="after")
    def _original_complete(self):
        if self.original is not None:
            missing = [name for name in ("original_sha256", "original_format", "extractor") if getattr(self, name) is None]
            if missing:
                raise ValueError(f"`original` without `{missing[0]}` — add `{missing[0]}:` (claimsdb add-source writes it), or remove `original`")
        elif self.original_sha256 is not None or self.extractor is not None:
            name = "original_sha256" if self.original_sha256 is not None else "extractor"
            raise ValueError(f"`{name}` without `original` — add `original: sources/originals/<file>` or remove `{name}`")
        if self.pages is not None:
            if not self.pages or self.pages[0] != 0:
                raise ValueError("`pages` must start with 0, where the first page starts — write the page starts that claimsdb add-source recorded")
            for before, after in zip(self.pages, self.pages[1:]):
                if after <= before:
                    raise ValueError(f"`pages` must increase, but {after} follows {before} — write the page starts that claimsdb add-source recorded")
        return self
