"""YAML a user wrote (checklists, labels, role maps), parsed safely and within a budget.

An alias (`*name`) repeats a whole subtree, so a few nested ones (an "alias bomb") make a
structure billions of values large from a few lines; it is refused from the event stream before
any structure is built.
"""

from __future__ import annotations

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (several times faster), else pure Python."""
MAX_YAML_EXPANDED_NODES = 1_000_000
"""Values a file may hold once its aliases are expanded (the bundled checklists hold under
7,000), so validating or quoting it always ends."""


class AliasBombError(ValueError):
    """The document's aliases expand to more than MAX_YAML_EXPANDED_NODES values."""


def parse_yaml(text: str) -> object:
    """The document's data, with aliases counted first. Raises AliasBombError, yaml.YAMLError,
    or RecursionError (nesting too deep); callers turn each into their own one-line error."""
    _check_aliases(text)
    return yaml.load(text, Loader=YAML_LOADER)


def _check_aliases(text: str) -> None:
    """Count the nodes the document would have with every alias expanded."""
    expanded: dict[str, int] = {}  # anchor -> nodes in its subtree, aliases expanded
    open_nodes: list[list] = [[None, 0]]  # per open collection: its anchor, nodes so far
    for event in yaml.parse(text, Loader=YAML_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append([event.anchor, 1])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = open_nodes.pop()
            if anchor:
                expanded[anchor] = count
            open_nodes[-1][1] += count
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                expanded[event.anchor] = 1
            open_nodes[-1][1] += 1
        elif isinstance(event, yaml.AliasEvent):
            open_nodes[-1][1] += expanded.get(event.anchor, 1)
            if sum(count for _, count in open_nodes) > MAX_YAML_EXPANDED_NODES:
                raise AliasBombError(
                    f"its YAML aliases (*name) expand to more than "
                    f"{MAX_YAML_EXPANDED_NODES:,} values"
                )
