from dataclasses import dataclass, field


@dataclass
class Entry:
    question: str
    label: str
    overrides: dict = field(default_factory=dict)
    # what the student must read: fragments every one of which appears in a failure's message
    message: tuple = ()
    # a contract the docstring states, which the public checks must already show to be broken
    public: bool = False
