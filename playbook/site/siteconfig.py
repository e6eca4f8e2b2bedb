"""mkdocs.yml read and written as plain data, its tags kept exactly as written.

`playbook export` rewrites the user's mkdocs.yml for engines without our plugin.
A YAML round trip must not resolve `!!python/name:...` (Python objects), `!ENV`
or `!relative` (MkDocs' own tags): each is carried through as a `Tagged` value
and written back with its tag, for the engine that builds the export to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import PlaybookError

INHERIT = "INHERIT"


@dataclass(frozen=True)
class Tagged:
    """A YAML node with a tag this module does not interpret: `!ENV [SITE, x]`."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return Tagged(node.tag, value)


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


for _prefix in ("!", "tag:yaml.org,2002:python/"):
    _Loader.add_multi_constructor(_prefix, _construct_tagged)
_Dumper.add_representer(Tagged, _represent_tagged)


def read_config(path: Path) -> dict[str, Any]:
    """The configuration in `path`, with `INHERIT:` merged in the way MkDocs merges it."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise PlaybookError.at(
            path, f"mkdocs.yml is not valid YAML: {exc.problem}", "fix mkdocs.yml", line, column
        ) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PlaybookError.at(
            path, f"mkdocs.yml cannot be read: {exc}", "fix mkdocs.yml"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlaybookError.at(path, "mkdocs.yml is not a mapping of settings", "fix mkdocs.yml")
    if INHERIT in data:
        parent = (path.parent / str(data.pop(INHERIT))).resolve()
        if not parent.is_file():
            raise PlaybookError.at(
                path, f"the inherited configuration {parent} does not exist", "fix INHERIT"
            )
        data = _merged(read_config(parent), data)
    return data


def _merged(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key, the child winning; any other value is replaced whole."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def dump_config(config: dict[str, Any]) -> str:
    return yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
