"""YAML a user wrote (checklists, labels, role maps), parsed safely and within a budget.

An alias (`*name`) repeats a whole subtree, so a few nested ones (an "alias bomb") make a
structure billions of values large from a few lines; it is refused from the event stream before
any structure is built. A key given twice in one mapping is refused too: YAML loaders keep the
last silently, so a checklist edit (say, a second `parts:` on an element) would drop the first.
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


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice."""


def parse_yaml(text: str) -> object:
    """The document's data, with aliases counted and keys checked first. Raises AliasBombError,
    yaml.YAMLError (DuplicateKeyError among them), or RecursionError (nesting too deep); callers
    turn each into their own one-line error."""
    _check_events(text)
    return yaml.load(text, Loader=YAML_LOADER)


def _check_events(text: str) -> None:
    """Count the nodes the document would have with every alias expanded, and refuse a key
    repeated within one mapping."""
    expanded: dict[str, int] = {}  # anchor -> nodes in its subtree, aliases expanded
    # per open collection: its anchor, nodes so far, and for a mapping the keys seen (else None)
    open_nodes: list[list] = [[None, 0, None]]
    key_next = [False]  # per open collection: whether its next node is a mapping key
    for event in yaml.parse(text, Loader=YAML_LOADER):
        is_key = key_next[-1]
        node = isinstance(event, (yaml.CollectionStartEvent, yaml.ScalarEvent, yaml.AliasEvent))
        if node and open_nodes[-1][2] is not None:
            key_next[-1] = not is_key
        if isinstance(event, yaml.CollectionStartEvent):
            mapping = isinstance(event, yaml.MappingStartEvent)
            open_nodes.append([event.anchor, 1, set() if mapping else None])
            key_next.append(mapping)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count, _ = open_nodes.pop()
            key_next.pop()
            if anchor:
                expanded[anchor] = count
            open_nodes[-1][1] += count
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                expanded[event.anchor] = 1
            open_nodes[-1][1] += 1
            if is_key:
                if event.value in open_nodes[-1][2]:
                    raise DuplicateKeyError(
                        f"key {event.value!r} appears twice in one mapping "
                        f"(line {event.start_mark.line + 1})"
                    )
                open_nodes[-1][2].add(event.value)
        elif isinstance(event, yaml.AliasEvent):
            open_nodes[-1][1] += expanded.get(event.anchor, 1)
            if sum(entry[1] for entry in open_nodes) > MAX_YAML_EXPANDED_NODES:
                raise AliasBombError(
                    f"its YAML aliases (*name) expand to more than "
                    f"{MAX_YAML_EXPANDED_NODES:,} values"
                )
