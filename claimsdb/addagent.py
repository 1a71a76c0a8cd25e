"""`claimsdb add-agent ID`: add a person or organisation to agents.yml.

The agent is appended to claims/agents.yml as the editor would write it
(comments and order kept), checked by the Agent model through the file that
would be written, so every message names its line; its affiliations must
name known agents, and its id, name and aliases must not be another agent's
(did-you-mean goes through names and aliases). Nothing is written when
anything is wrong.
"""

from __future__ import annotations

from pathlib import Path

from .errors import agent_aliases, fold_name, suggest
from .files import display_path
from .load import read_file, validate
from .model import AgentsFile
from .problems import Problem, ProblemsFound
from .yamlfile import parse_yaml, scalar


def agent_lines(agent_id: str, name: str | None, kind: str | None, aliases: list[str], description: str | None,
                affiliations: list[tuple[str, str]]) -> list[str]:
    lines = [f"  - id: {scalar(agent_id)}"]
    lines += [f"    {key}: {scalar(value)}" for key, value in (("name", name), ("kind", kind)) if value is not None]
    if aliases:
        lines.append(f"    aliases: {scalar(list(aliases))}")
    if description is not None:
        lines.append(f"    description: {scalar(description)}")
    if affiliations:
        lines.append("    affiliations:")
        for other, role in affiliations:
            lines += [f"      - agent: {scalar(other)}", f"        role: {scalar(role)}"]
    return lines


def add_agent(claims_dir: Path, agent_id: str, name: str | None, kind: str | None, aliases: list[str] = (),
              description: str | None = None, affiliations: list[str] = ()) -> Path:
    """Append the agent to agents.yml; raises ProblemsFound with every problem, having written nothing.
    ``affiliations``: 'AGENT:ROLE' each."""
    path = claims_dir / "agents.yml"
    shown = display_path(path)
    problems: list[Problem] = []
    if not path.is_file():
        raise ProblemsFound([Problem(shown, 1, "agents.yml is missing", "create claims/agents.yml (see README)")])
    parsed = read_file(path, problems, claims_dir)
    if parsed is None:
        raise ProblemsFound(problems)
    current = validate(parsed, AgentsFile, shown, problems)
    if current is None:
        raise ProblemsFound(problems)
    pairs = []
    for given in affiliations:
        other, _, role = given.partition(":")
        if not other or not role.strip():
            problems.append(Problem(shown, 1, f"--affiliation {given!r} is not AGENT:ROLE", "write it as agent-id:role, e.g. --affiliation ncri:member of"))
            continue
        pairs.append((other.strip(), role.strip()))
    text = path.read_text(encoding="utf-8")
    text = text if text.endswith("\n") else text + "\n"
    first_line = text.count("\n") + 1
    new_text = text + "\n" + "\n".join(agent_lines(agent_id, name, kind, list(aliases), description, pairs)) + "\n"
    new_parsed = parse_yaml(new_text)
    index = len(current.agents)
    found: list[Problem] = []
    validate(new_parsed, AgentsFile, shown, found)
    for problem in found:  # only the new agent's problems, with its option named
        if problem.line > first_line:
            field = problem.message.split("`")[1] if "`" in problem.message else ""
            option = {"id": "ID", "name": "--name", "kind": "--kind", "aliases": "--alias", "description": "--description", "agent": "--affiliation", "role": "--affiliation"}.get(field)
            problems.append(Problem(problem.path, problem.line, problem.message, problem.fix + (f" ({option})" if option else "")))
    known = {agent.id: agent for agent in current.agents}
    names = agent_aliases(current.agents)
    line = lambda *keys: new_parsed.line_of(("agents", index, *keys))
    if agent_id in known:
        problems.append(Problem(shown, line("id"), f"an agent with the id `{agent_id}` already exists (first at {shown}:{parsed.line_of(('agents', list(known).index(agent_id), 'id'))})",
                                "choose another id, or edit the existing agent"))
    for position, label in enumerate([name, *aliases]):
        if label and fold_name(label) in names and names[fold_name(label)] != agent_id:
            keys = ("name",) if position == 0 else ("aliases", position - 1)
            problems.append(Problem(shown, line(*keys), f"{label!r} already names `{names[fold_name(label)]}`",
                                    f"use `{names[fold_name(label)]}` for that agent, or give this one a name or alias that tells them apart"))
    for a_index, (other, _) in enumerate(pairs):
        if other not in known:
            hint = suggest(other, known, names)
            problems.append(Problem(shown, line("affiliations", a_index, "agent"), f"unknown agent `{other}`",
                                    (hint + " " if hint else "") + "use an id from agents.yml, or add that agent first (--affiliation)"))
    if problems:
        raise ProblemsFound(problems)
    path.write_text(new_text, encoding="utf-8")
    return path
