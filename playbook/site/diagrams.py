"""Mermaid diagrams drawn from the model: org chart, funnel, hand-offs, career paths."""

from __future__ import annotations

from ..model import Playbook, Role
from .markdown import fence, mermaid_id, mermaid_label


def _short(role: Role) -> str:
    """The shortest name of a role (SDR rather than Sales Development Representative)."""
    return min((*role.aliases, role.title), key=len)


def _node(role: Role) -> str:
    lines = [role.title, f"({_short(role)})"] if role.aliases else [role.title]
    return f"{mermaid_id('r', role.id)}[{mermaid_label(*lines)}]"


def org_chart(playbook: Playbook) -> str:
    """Who reports to whom, top-down."""
    lines = ["flowchart TD"]
    for role in playbook.roles.values():
        lines.append(f"  {_node(role)}")
    for role in playbook.roles.values():
        if role.reports_to in playbook.roles:
            lines.append(f"  {mermaid_id('r', role.reports_to)} --> {mermaid_id('r', role.id)}")
    return fence("mermaid", "\n".join(lines))


def funnel(playbook: Playbook) -> str:
    """The funnel stages top to bottom, as a funnel reads, each with the roles that own it."""
    lines = ["flowchart TD"]
    for stage in playbook.funnel:
        owners = ", ".join(_short(role) for role in playbook.stage_owners(stage.id))
        label = mermaid_label(stage.title, owners) if owners else mermaid_label(stage.title)
        lines.append(f"  {mermaid_id('s', stage.id)}[{label}]")
    chain = [mermaid_id("s", stage.id) for stage in playbook.funnel]
    if len(chain) > 1:
        lines.append("  " + " --> ".join(chain))
    return fence("mermaid", "\n".join(lines))


def handoffs(playbook: Playbook) -> str:
    """Who hands what to whom, labelled with the moment of the hand-off."""
    lines = ["flowchart LR"]
    involved: dict[str, Role] = {}
    edges = []
    for role in playbook.roles.values():
        for handoff in role.handoffs:
            if handoff.to in playbook.roles:
                involved[role.id] = role
                involved[handoff.to] = playbook.roles[handoff.to]
                edges.append(
                    f"  {mermaid_id('r', role.id)} -->|{mermaid_label(handoff.when)}| "
                    f"{mermaid_id('r', handoff.to)}"
                )
    if not edges:
        return ""
    lines += [f"  {_node(role)}" for role in involved.values()] + edges
    return fence("mermaid", "\n".join(lines))


def career_path(playbook: Playbook, role: Role) -> str:
    """Where a role comes from and where it leads."""
    lines = [
        "flowchart LR",
        f"  {_node(role)}",
        f"  style {mermaid_id('r', role.id)} stroke-width:3px",
    ]
    for source in playbook.career_sources(role.id):
        lines += [
            f"  {_node(source)}",
            f"  {mermaid_id('r', source.id)} --> {mermaid_id('r', role.id)}",
        ]
    for step in role.career_path:
        lines += [
            f"  {_node(playbook.roles[step.to])}",
            f"  {mermaid_id('r', role.id)} --> {mermaid_id('r', step.to)}",
        ]
    return fence("mermaid", "\n".join(lines))
