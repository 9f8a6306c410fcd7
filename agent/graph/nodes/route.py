"""route: what kind of turn this is — schema question, SQL drafting, run a query, small
talk — by keyword rules first (Portuguese and English), the model only when no rule
fits. A short question that starts like "and only for ...?" after a turn that drafted
SQL is a follow-up: it changes that SQL."""

from __future__ import annotations

import re

from langgraph.runtime import Runtime

from schemachat.agent.context import AgentContext
from schemachat.agent.graph.state import AgentState, Intent, last_sql_turn
from schemachat.agent.plans.question import read_question
from schemachat.agent.prompts.messages import ROUTE_STOP, route_messages
from schemachat.agent.retrieval.text import fold

# (intent, pattern over the folded question); the first that matches wins.
RULES: list[tuple[Intent, re.Pattern[str]]] = [
    ("sql", re.compile(r"\b(sql|select|query|consulta|escreva|escrever|write|gere|gerar|"
                       r"generate|monte|montar)\b")),
    ("run", re.compile(r"\b(quant[oa]s|how many|how much|total|totais|soma|sum|count|"
                       r"conte|contar|liste|listar|list|mostre|mostrar|show|top \d+|maiores|"
                       r"menores|largest|biggest|media|average|run|execute|executar|rode|"
                       r"rodar|traga|trazer)\b")),
    ("schema", re.compile(r"\b(onde|where|tabela|tabelas|table|tables|coluna|colunas|column|"
                          r"columns|campo|campos|field|significa|significado|mean|means|"
                          r"meaning|guarda|guardado|stored|store|descreva|describe|relaciona|"
                          r"join|ligar|chave|key)\b")),
    # "which/qual" alone asks about the schema, unless the question asks for data
    # (a comparison, a date, a group, a missing thing: "which employees have no manager?").
    ("schema", re.compile(r"\b(o que e|what is|what are|qual|quais|which)\b")),
]
WEAK_SCHEMA = RULES[-1][1]
SMALLTALK = re.compile(r"^(oi|ola|hello|hi|hey|bom dia|boa tarde|boa noite|obrigad[oa]|"
                       r"valeu|thanks|thank you|tchau|bye|tudo bem)\b")
FOLLOW_UP = re.compile(r"^(and|e|only|so|somente|apenas|agora|now|but|mas|also|tambem|"
                       r"same|mesmo|mesma|just|e se|what about|e para|e no|e na|e em)\b")
FOLLOW_UP_WORDS = 8  # a follow-up is short; a long question stands on its own
INTENTS: tuple[Intent, ...] = ("schema", "sql", "run", "smalltalk")


def rule_intent(question: str) -> Intent | None:
    """The intent the keyword rules give `question`, or None when none fits."""
    text = fold(question).strip()
    if SMALLTALK.match(text) and len(text.split()) <= 5 and not any(
            p.search(text) for _, p in RULES):
        return "smalltalk"
    for intent, pattern in RULES:
        if pattern.search(text):
            if pattern is WEAK_SCHEMA and _asks_for_data(question):
                return "run"
            return intent
    return None


def _asks_for_data(question: str) -> bool:
    q = read_question(question)
    return bool(q.comparisons or q.dates or q.missing_spans or q.top or q.group_spans or
                q.aggregate)


def is_follow_up(question: str) -> bool:
    """Whether `question` reads as a change to the previous query ("e só para SP?")."""
    text = fold(question).strip()
    return len(text.split()) <= FOLLOW_UP_WORDS and bool(FOLLOW_UP.match(text))


def model_intent(question: str, ctx: AgentContext) -> Intent:
    """The model's one-word category; `schema` when it says anything else."""
    reply = ctx.generate(route_messages(question), stop=ROUTE_STOP, max_new_tokens=4)
    word = fold(reply).strip().strip(".:").split(" ")[0] if reply.strip() else ""
    return next((i for i in INTENTS if i == word), "schema")


def route(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Set `intent` (and `follow_up`, and `run` for run intents)."""
    question = state["question"]
    previous = last_sql_turn(state)
    follow_up = previous is not None and is_follow_up(question)
    intent: Intent
    if state.get("mode") == "sql":
        intent = "run" if state.get("run") else "sql"
    elif follow_up and previous is not None:
        intent = "run" if previous["intent"] == "run" else "sql"
    else:
        intent = rule_intent(question) or model_intent(question, runtime.context)
    run = bool(state.get("run")) or intent == "run"
    return AgentState(intent=intent, follow_up=follow_up, run=run)
