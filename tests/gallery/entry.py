from dataclasses import dataclass, field


@dataclass
class Entry:
    question: str
    label: str
    overrides: dict = field(default_factory=dict)
