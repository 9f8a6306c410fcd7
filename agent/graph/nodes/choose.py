"""choose: the chat model chooses among the query plans, under a JSON Schema that lets it
name only what the linker found (`schemachat.agent.plans.choose`).

After `plan` (which ranked the plans and, when one fitted, checked and ran the best
that stands), a configured model (agent_choose) either picks one of several fitting
plans by its number, or, when none fits or the best leaves words unplaced, fills a plan
from the pieces the linker found over the best one's table. Its choice is compiled,
prepared and run like every candidate; when it fails, returns nothing where rows are
expected, or the model's answer is not a valid choice, the ranking's plan stands (and
with no plan at all the model drafts SQL, as before). A pick is asked twice, every
option moved one place the second time, and stands only when both answers name the
same plan. `chosen_by` records who won.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.nodes.plan import fits, plan_state, try_candidate
from schemachat.agent.graph.state import AgentState
from schemachat.agent.plans.choose import (
    MAX_NEW_TOKENS,
    Choice,
    choice_for,
    rotated_pick,
    unstash,
)
from schemachat.agent.plans.plan import QueryPlan
from schemachat.agent.plans.propose import Candidate
from schemachat.agent.plans.question import read_question

log = logging.getLogger(__name__)
NOTE = {"pt": " Palavras da pergunta que nenhum plano explica: {w}.",
        "en": " Words of the question no plan explains: {w}."}


def choose_plan(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """The model's choice, when it stands: the state of that plan with chosen_by
    "model"; else nothing changes (the ranking's plan, or none)."""
    ctx = runtime.context
    if state.get("chosen_by") == "golden":
        return AgentState()  # a person confirmed this plan for this question
    q = read_question(state["question"])
    candidates = unstash(state.get("candidates") or [])
    choice = choice_for(candidates, q, ctx.doc(), fitting=[c for c in candidates if fits(c, q)])
    if choice is None:
        return AgentState()
    get_stream_writer()({"status": "the model chooses a query plan"})
    text = _ask(ctx, choice)
    cand = choice.read(text) if text is not None else None
    if cand is None:
        if text is not None:
            log.info("the model's answer is not a valid %s choice: %.200r", choice.mode, text)
        return AgentState()
    if choice.mode == "pick" and not _same_when_rotated(ctx, choice, cand):
        log.info("the model's pick changed with the options' places (it follows the "
                 "position, not the plan); the ranking's plan stands")
        return AgentState()
    current = state.get("plan")
    if current is not None and QueryPlan.model_validate(current) == cand.plan:
        return AgentState(chosen_by="model")  # the model chose what the ranking did
    tried = try_candidate(cand, ctx, bool(state.get("run")) and ctx.has_database)
    if tried is None or tried.suspect:
        log.info("the model's %s choice did not stand (refused, failed or empty); the "
                 "ranking's plan stands", choice.mode)
        return AgentState()
    out = plan_state(tried, q, ctx)
    if not fits(cand, q) and cand.unmapped:
        out["plan_text"] = out.get("plan_text", "") + NOTE[
            "pt" if q.lang == "pt" else "en"].format(w=", ".join(f"'{w}'" for w in cand.unmapped))
    out.update(chosen_by="model")
    return out


def _same_when_rotated(ctx: AgentContext, choice: Choice, cand: Candidate) -> bool:
    """Whether the model picks the same plan when every option moves one place."""
    again = rotated_pick(choice, ctx.doc())
    text = _ask(ctx, again)
    other = again.read(text) if text is not None else None
    return other is not None and other.plan == cand.plan


def _ask(ctx: AgentContext, choice: Choice) -> str | None:
    """The model's answer to `choice` under its schema; None when the model failed (the
    ranking then stands: the model only ever improves on it)."""
    kwargs: dict[str, Any] = {"json_schema": choice.schema, "max_new_tokens": MAX_NEW_TOKENS}
    if ctx.adapters is not None:
        kwargs["adapters"] = ctx.adapters
    try:
        reply = ctx.chat_model().invoke(choice.messages, **kwargs)
    except Exception as exc:  # any backend's failure: the ranking's answer is still good
        log.warning("the model could not choose a plan (%s: %s); the ranking's stands",
                    type(exc).__name__, exc)
        return None
    return str(reply.text)


def after_choose(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """respond when a plan answers, else draft (choose runs only with a model)."""
    return "respond" if state.get("plan") is not None else "draft"
