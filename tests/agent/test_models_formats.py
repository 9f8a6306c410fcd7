"""Prompt formats and stop strings (table-driven)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from schemachat.agent.models.formats import llama3_prompt, plain_prompt
from schemachat.agent.models.stops import StopBuffer, cut_at_stop

CTX = SystemMessage("Table CLIENTES holds customers.")


@pytest.mark.parametrize(("messages", "expected"), [
    ([HumanMessage("q1")], "Question: q1\nAnswer:"),
    ([CTX, HumanMessage("q1")], "Table CLIENTES holds customers.\n\nQuestion: q1\nAnswer:"),
    ([CTX, HumanMessage("q1"), AIMessage("a1"), HumanMessage("q2")],
     "Table CLIENTES holds customers.\n\nQuestion: q1\nAnswer: a1\n\nQuestion: q2\nAnswer:"),
    ([HumanMessage("q"), ToolMessage("3 rows", tool_call_id="t")],
     "Question: q\nResult: 3 rows\nAnswer:"),
    ([SystemMessage(""), HumanMessage(" q ")], "Question: q\nAnswer:"),
])
def test_plain_prompt(messages: list, expected: str) -> None:
    assert plain_prompt(messages) == expected


def test_llama3_prompt() -> None:
    text = llama3_prompt([CTX, HumanMessage("oi")], bos=True)
    assert text == ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                    "Table CLIENTES holds customers.<|eot_id|>"
                    "<|start_header_id|>user<|end_header_id|>\n\noi<|eot_id|>"
                    "<|start_header_id|>assistant<|end_header_id|>\n\n")


@pytest.mark.parametrize(("text", "stops", "expected"), [
    ("SELECT 1\nQuestion: more", ["\nQuestion:"], ("SELECT 1", True)),
    ("a STOP b END c", ["END", "STOP"], ("a ", True)),  # the earliest one wins
    ("nothing here", ["\nQuestion:"], ("nothing here", False)),
    ("x", ["", "y"], ("x", False)),
])
def test_cut_at_stop(text: str, stops: list[str], expected: tuple[str, bool]) -> None:
    assert cut_at_stop(text, stops) == expected


@pytest.mark.parametrize(("pieces", "stops", "shown"), [
    (["SELECT", " 1", "\nQue", "stion:", " more"], ["\nQuestion:"], "SELECT 1"),
    (["ab", "c\nQ", "uick"], ["\nQuestion:"], "abc\nQuick"),  # a false start is let out
    (["a<|eo", "t_id|>b"], ["<|eot_id|>"], "a"),
    (["one", " two"], [], "one two"),
    (["x\nQuestion:y", "z"], ["\nQuestion:"], "x"),
])
def test_stop_buffer(pieces: list[str], stops: list[str], shown: str) -> None:
    buffer = StopBuffer(stops)
    out = [buffer.feed(p) for p in pieces] + [buffer.flush()]
    assert "".join(out) == shown
    assert buffer.stopped is (shown != "".join(pieces))
