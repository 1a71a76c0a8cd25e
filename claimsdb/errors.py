"""Pydantic's validation errors as problems at file:line, in the editors' words.

Each error says what is wrong and what to do, with a did-you-mean for a
misspelt field, kind or id.
"""

from __future__ import annotations

import difflib
import re
import types
import typing

import pydantic

from .model import CLAIM_MODELS, SLUG_PATTERN
from .problems import Problem
from .yamlfile import ParsedFile


TYPE_WORDS = {
    "string_type": "text",
    "float_parsing": "a number (digits only, no thousands separators)",
    "float_type": "a number (digits only, no thousands separators)",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "list_type": "a list (items starting with '- ')",
    "model_type": "a mapping of fields (key: value)",
    "model_attributes_type": "a mapping of fields (key: value)",
    "dict_type": "a mapping of fields (key: value)",
}


# pydantic's comparison errors: (its bound in ctx, what is wrong, what to do).
COMPARISONS = {
    "greater_than_equal": ("ge", "but it cannot be less than {}", "give {} or more"),
    "greater_than": ("gt", "but it must be more than {}", "give more than {}"),
    "less_than_equal": ("le", "but it cannot be more than {}", "give {} or less"),
    "less_than": ("lt", "but it must be less than {}", "give less than {}"),
}


def unwrap(annotation):
    """The model (or claim union) a field holds, through list/Optional/Annotated."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            elif all(isinstance(a, type) and issubclass(a, pydantic.BaseModel) for a in args):
                return "claim"
            else:
                return None
        else:
            return annotation if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel) else None


def model_at(root: type, loc: tuple):
    """The model class holding the last field of ``loc`` and that field's info."""
    model, info = root, None
    for item in loc:
        if isinstance(item, int):
            continue
        if model == "claim":
            model = CLAIM_MODELS.get(item)
            continue
        if model is None or item not in model.model_fields:
            return model, None
        info = model.model_fields[item]
        target = unwrap(info.annotation)
        if item == loc[-1]:
            return model, info
        model = target
    return model, info


def data_path(data, loc: tuple) -> tuple:
    """``loc`` without the discriminator tags pydantic inserts for unions."""
    path, current = [], data
    for position, item in enumerate(loc):
        if isinstance(current, dict) and current.get("kind") == item and position and isinstance(loc[position - 1], int):
            continue
        if isinstance(current, dict) and item in current:
            path.append(item)
            current = current[item]
        elif isinstance(current, list) and isinstance(item, int) and item < len(current):
            path.append(item)
            current = current[item]
        else:
            path.append(item)
            break
    return tuple(path)


def short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest(word: str, choices, aliases: dict | None = None) -> str:
    """'did you mean `x`?' for an unknown id: the same id in another case, an
    id whose alias or name it is (``aliases``: folded alias -> id, so `hrw`
    finds `human-rights-watch`), or the closest spelling."""
    choices = list(choices)
    folded = fold_name(str(word))
    for choice in choices:
        if fold_name(choice) == folded:
            return f"did you mean `{choice}`?"
    if aliases and folded in aliases:
        return f"did you mean `{aliases[folded]}`?"
    longer = [choice for choice in choices if choice.startswith(str(word).lower() + "-")]
    if len(longer) == 1:  # `amnesty` for `amnesty-international`
        return f"did you mean `{longer[0]}`?"
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6) or difflib.get_close_matches(str(word).lower(), choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def fold_name(name: str) -> str:
    """A name or id as typed in any case and punctuation: 'H.R.W.', 'hrw', 'Human Rights Watch' -> 'hrw', 'humanrightswatch'."""
    return re.sub(r"[\W_]+", "", name.casefold())


def agent_aliases(agents) -> dict:
    """Folded name and alias of every agent -> its id, for did-you-mean."""
    found = {}
    for agent in agents:
        for name in (agent.name, *agent.aliases):
            found.setdefault(fold_name(name), agent.id)
    return found


def translate(error: dict, root: type) -> tuple[str, str]:
    """(what is wrong, what to do) for one pydantic error."""
    loc = tuple(item for item in error["loc"])
    kind = error["type"]
    model, info = model_at(root, loc)
    names = [item for item in loc if isinstance(item, str) and item not in CLAIM_MODELS]
    name = names[-1] if names else "file"
    described = f" ({info.description.split(';')[0].rstrip('.')})" if info and info.description else ""
    given = error.get("input")
    if kind == "missing":
        return f"missing field `{name}`", f"add `{name}:`{described}"
    if kind == "extra_forbidden":
        allowed = list(model.model_fields) if isinstance(model, type) else []
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown field `{name}`", f"did you mean `{close[0]}`? rename it, or remove it"
        return f"unknown field `{name}`", f"remove it (fields here: {', '.join(allowed)})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        kinds = ", ".join(CLAIM_MODELS)
        if kind == "union_tag_not_found":
            return "missing field `kind` (the claim's kind)", f"add `kind:` with one of {kinds}"
        tag = error.get("ctx", {}).get("tag")
        return f"`kind` is {short(tag)}, not a claim kind", (suggest(tag, CLAIM_MODELS) + f" use one of {kinds}").strip()
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        options = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]
        return f"`{name}` is {short(given)}", (suggest(given, options) + f" use one of {expected}").strip()
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern")
        if pattern == SLUG_PATTERN:
            return f"`{name}` {short(given)} is not a valid id", "use lower-case letters, digits and hyphens only"
        return f"`{name}` {short(given)} is not in the expected form", f"write {name} as: {info.description if info else pattern}"
    if kind == "too_short":
        return f"`{name}` is empty", f"give at least one item{described}"
    if kind == "string_too_short":
        return f"`{name}` is empty", "write the text" + ("" if info is not None and info.is_required() else " or remove the field")
    if kind in COMPARISONS:
        bound, what, fix = COMPARISONS[kind]
        limit = f"{error['ctx'][bound]:g}"
        return f"`{name}` is {short(given)}, {what.format(limit)}", fix.format(limit)
    if kind == "decimal_max_digits":
        return (f"`{name}` is {short(given)}, more than 15 significant digits, more than the database keeps exactly",
                "round it to 15 significant digits or fewer")
    if kind == "finite_number":
        return f"`{name}` should be a finite number, not {short(given)}", f"write a number, or leave `{name}` out when the interval is unbounded"
    if kind == "string_type" and isinstance(given, bool):
        return f"`{name}` should be text, not the boolean {str(given).lower()} (YAML reads yes, no, on, off, true and false as booleans)", "put the value in quotes"
    if kind == "string_type" and isinstance(given, (int, float)):
        return f"`{name}` should be text, not the number {short(given)}", "put the value in quotes"
    if kind in TYPE_WORDS:
        return f"`{name}` should be {TYPE_WORDS[kind]}, not {short(given)}", f"write {TYPE_WORDS[kind]}"
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        where = f"`{name}`: " if names and name != "claims" and not isinstance(loc[-1], int) else ""
        what, _, fix = message.partition(" — ")
        return where + what, fix or f"correct `{name}`"
    return f"`{name}`: {error['msg']}", f"correct `{name}`"


def problems_for_errors(errors: list[dict], parsed: ParsedFile, model, path: str) -> list[Problem]:
    # A misspelt field is reported once, as unknown with a suggestion, not
    # also as the missing field it was meant to be.
    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            owner, _ = model_at(model, error["loc"])
            if isinstance(owner, type):
                close = difflib.get_close_matches(str(error["loc"][-1]), list(owner.model_fields), n=1, cutoff=0.6)
                suggested.update((error["loc"][:-1], name) for name in close)
    problems = []
    for error in errors:
        if error["type"] == "missing" and (error["loc"][:-1], error["loc"][-1]) in suggested:
            continue
        path_in_data = data_path(parsed.data, error["loc"])
        if error["type"] == "union_tag_invalid":
            path_in_data += ("kind",)
        line = parsed.line_of(path_in_data)
        what, fix = translate(error, model)
        problems.append(Problem(path, line, what, fix))
    return problems
