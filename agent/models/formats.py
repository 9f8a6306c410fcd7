"""How chat messages become prompt text for models that take plain text.

Two formats: `plain` for base (not instruction-tuned) models such as the default Gemma 3
270M, a transcript that the model continues after `Assistant:` and that stop strings
cut at the next turn; and `llama3`, Llama 3 Instruct's header format, for servers (TGI)
that take text rather than messages. Local models with a chat template in their
tokenizer use that template instead (see local.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage

# A base model continues a transcript with more turns of its own; these end its answer.
PLAIN_STOP: tuple[str, ...] = ("\nUser:", "\nSystem:", "\nAssistant:")
LLAMA3_STOP: tuple[str, ...] = ("<|eot_id|>",)

_PLAIN_ROLES = {"human": "User", "ai": "Assistant", "tool": "Tool result",
                "function": "Tool result"}
_CHAT_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool",
               "function": "tool"}


def message_text(message: BaseMessage) -> str:
    """The text of a message (content blocks other than text are left out)."""
    return str(message.text)


def role_of(message: BaseMessage) -> str:
    """The role a chat template expects: system, user, assistant or tool."""
    return _CHAT_ROLES.get(message.type, "user")


def plain_prompt(messages: Sequence[BaseMessage]) -> str:
    """A transcript a base model continues: system text first, then `User:`/`Assistant:`
    turns, ending with `Assistant:` (no trailing space: the model writes it)."""
    parts: list[str] = []
    for message in messages:
        text = message_text(message).strip()
        if message.type == "system":
            parts.append(text)
        else:
            parts.append(f"{_PLAIN_ROLES.get(message.type, 'User')}: {text}")
    parts.append("Assistant:")
    return "\n\n".join(p for p in parts if p)


def llama3_prompt(messages: Sequence[BaseMessage], *, bos: bool = False) -> str:
    """Llama 3 Instruct's format, ending with the assistant header. `bos` adds
    `<|begin_of_text|>`; servers that tokenize with special tokens add it themselves."""
    turns = [f"<|start_header_id|>{role_of(m)}<|end_header_id|>\n\n{message_text(m).strip()}"
             "<|eot_id|>" for m in messages]
    head = "<|begin_of_text|>" if bos else ""
    return head + "".join(turns) + "<|start_header_id|>assistant<|end_header_id|>\n\n"


def chat_dicts(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """Messages as `{"role", "content"}` dicts for a tokenizer's chat template."""
    return [{"role": role_of(m), "content": message_text(m)} for m in messages]
