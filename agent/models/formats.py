"""How chat messages become prompt text for models that take plain text.

Two formats: `plain` for base (not instruction-tuned) models such as the default Gemma 3
270M, a question/answer transcript that the model continues after `Answer:` and that
stop strings cut at the next turn (checked on Gemma 3 270M: with `User:`/`Assistant:`
turns it rambled or wrote digits, with `Question:`/`Answer:` it answered from the
context given, then started a new `Question:`); and `llama3`, Llama 3 Instruct's header
format, for servers (TGI) that take text rather than messages. Local models with a chat
template in their tokenizer use that template instead (see local.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage

# A base model continues a transcript with more turns of its own; these end its answer.
PLAIN_STOP: tuple[str, ...] = ("\nQuestion:", "\nAnswer:", "\nUser:", "\nResult:")
LLAMA3_STOP: tuple[str, ...] = ("<|eot_id|>",)

_PLAIN_ROLES = {"human": "Question", "ai": "Answer", "tool": "Result", "function": "Result"}
_CHAT_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool",
               "function": "tool"}


def message_text(message: BaseMessage) -> str:
    """The text of a message (content blocks other than text are left out)."""
    return str(message.text)


def role_of(message: BaseMessage) -> str:
    """The role a chat template expects: system, user, assistant or tool."""
    return _CHAT_ROLES.get(message.type, "user")


def plain_prompt(messages: Sequence[BaseMessage]) -> str:
    """A transcript a base model continues: system text first, then `Question:` /
    `Answer:` turns (tool output as `Result:`), a blank line before each question,
    ending with `Answer:` (no trailing space: the model writes it).

        You answer questions about ...

        Question: onde fica o limite de crédito?
        Answer:
    """
    out, after_system = "", False
    for message in messages:
        text = message_text(message).strip()
        if message.type != "system":
            text = f"{_PLAIN_ROLES.get(message.type, 'Question')}: {text}"
        elif not text:
            continue
        new_block = message.type in ("system", "human") or after_system
        out += ("\n\n" if new_block else "\n") + text if out else text
        after_system = message.type == "system"
    return out + ("\n\n" if after_system else "\n") + "Answer:" if out else "Answer:"


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
