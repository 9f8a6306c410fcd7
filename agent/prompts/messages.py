"""Prompt text of the agent, as short chat transcripts with worked examples.

They are written for the weakest model the agent runs on, Gemma 3 270M *base*: the
local backend renders a base model's messages as a `User:`/`Assistant:` transcript the
model continues, and the stop strings below end its turn. Instruction-tuned models
(Llama 3 via TGI or an OpenAI-compatible server) read the same messages as a chat.
The examples use made-up tables (PRODUTOS, GRUPOS) so a copied name fails in the
engine instead of looking plausible.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

FIREBIRD_RULES = """Firebird 5 SQL rules:
- no LIMIT: use SELECT FIRST n ... or ... FETCH FIRST n ROWS ONLY;
- no ILIKE: use CONTAINING (case-insensitive) or LIKE;
- a SELECT without a table reads FROM RDB$DATABASE;
- dates: CURRENT_DATE, DATE '2024-01-31', DATEADD(-1 MONTH TO CURRENT_DATE),
  EXTRACT(YEAR FROM d), EXTRACT(MONTH FROM d);
- strings in single quotes; || concatenates; names are upper case;
- only SELECT (never INSERT, UPDATE, DELETE or DDL)."""

SQL_SYSTEM = ("You write one Firebird SQL SELECT statement that answers the question, "
              "using only the tables and columns listed and the joins given. Reply with "
              "the SQL only, on one line, ending with a semicolon.\n" + FIREBIRD_RULES)

SQL_EXAMPLES: list[tuple[str, str]] = [
    ("Tables:\nPRODUTOS(PRO_COD INTEGER key, PRO_DESCR VARCHAR(60), GRP_COD INTEGER key, "
     "PRECO NUMERIC(15,2))\nGRUPOS(GRP_COD INTEGER key, GRP_NOME VARCHAR(40))\n"
     "Joins: FROM PRODUTOS p JOIN GRUPOS g ON g.GRP_COD = p.GRP_COD\n"
     "Question: quantos produtos por grupo?",
     "SELECT g.GRP_NOME, COUNT(*) AS QTDE FROM PRODUTOS p JOIN GRUPOS g ON "
     "g.GRP_COD = p.GRP_COD GROUP BY g.GRP_NOME;"),
    ("Tables:\nPRODUTOS(PRO_COD INTEGER key, PRO_DESCR VARCHAR(60), GRP_COD INTEGER key, "
     "PRECO NUMERIC(15,2))\nJoins: FROM PRODUTOS p\n"
     "Question: the 5 most expensive products with 'cabo' in the name",
     "SELECT FIRST 5 p.PRO_DESCR, p.PRECO FROM PRODUTOS p WHERE "
     "p.PRO_DESCR CONTAINING 'cabo' ORDER BY p.PRECO DESC;"),
]
SQL_STOP: tuple[str, ...] = (";", "\nUser:", "\nQuestion:", "\n\n")

TOOLS_SYSTEM = ("You help a colleague with their Firebird database. Use the tools to find "
                "the tables (search_schema), read what their columns mean (describe_table, "
                "value_mappings) and how they join (join_path); state only what a tool "
                "returned. For data, write one Firebird SELECT and run it with "
                "run_readonly_sql; on an error, fix the SQL and run it again. Answer "
                "briefly, in the language of the question, naming the tables and columns "
                "you used.\n" + FIREBIRD_RULES)
TOOLS_RUN_HINT = "Write the Firebird SELECT that answers this and run it with run_readonly_sql: "
TOOLS_CHECK_HINT = ("Write the Firebird SELECT that answers this and check it with "
                    "run_readonly_sql (this turn only checks it; nothing is run): ")

ANSWER_SYSTEM = ("You explain a database schema to a colleague. Answer in one short "
                 "sentence, in the language of the question, using only the notes. Do not "
                 "name tables or columns that are not in the notes.")
ANSWER_EXAMPLE = ("Notes:\n**PRODUTOS** (table, ~120 rows): Cadastro de produtos.\n"
                  "- `PRODUTOS.PRECO` NUMERIC(15,2): Preço de venda.\n\n"
                  "Question: onde fica o preço de venda?",
                  "O preço de venda fica na coluna PRECO da tabela PRODUTOS.")
ANSWER_STOP: tuple[str, ...] = ("\nUser:", "\nNotes:", "\n\n")

ROUTE_SYSTEM = ("Classify the message. schema: where data is stored or what a table or "
                "column means. sql: asks for a query. run: asks for data, numbers or a list "
                "from the database. smalltalk: greetings and thanks. Reply with one word.")
ROUTE_EXAMPLES: list[tuple[str, str]] = [
    ("o que significa a coluna SITUACAO?", "schema"),
    ("escreva o SQL dos pedidos por cliente", "sql"),
    ("quantos clientes ativos temos?", "run"),
    ("bom dia!", "smalltalk"),
]
ROUTE_STOP: tuple[str, ...] = ("\n", ".", " ")

SMALLTALK_REPLY = ("Hello! Ask me where something is stored (\"onde fica o limite de crédito "
                   "do cliente?\"), what a column or code means, or for the SQL of a "
                   "question (\"total de vendas por estado no mês passado\").")


def _transcript(system: str, examples: list[tuple[str, str]], user: str) -> list[BaseMessage]:
    messages: list[BaseMessage] = [SystemMessage(system)]
    for question, reply in examples:
        messages += [HumanMessage(question), AIMessage(reply)]
    messages.append(HumanMessage(user))
    return messages


def sql_request(schema: str, skeleton: str, question: str,
                previous_sql: str | None = None) -> str:
    """The user turn of a SQL draft: tables, joins, (previous SQL), question."""
    text = f"Tables:\n{schema}\nJoins: {skeleton}\n"
    if previous_sql:
        text += f"Previous SQL: {previous_sql}\nQuestion (change the previous SQL): "
    else:
        text += "Question: "
    return text + question


def sql_messages(schema: str, skeleton: str, question: str,
                 previous_sql: str | None = None,
                 examples: list[tuple[str, str]] | None = None) -> list[BaseMessage]:
    """Messages asking for a first SQL draft. With `examples` (question, SQL) over the
    same tables, the listing goes once into the system text and the examples are short
    question/SQL turns; without, the made-up PRODUTOS/GRUPOS examples show the format."""
    if not examples:
        return _transcript(SQL_SYSTEM, SQL_EXAMPLES,
                           sql_request(schema, skeleton, question, previous_sql))
    system = f"{SQL_SYSTEM}\n\nTables:\n{schema}\nJoins: {skeleton}"
    if previous_sql:
        question = f"{question}\nPrevious SQL: {previous_sql}\nChange the previous SQL."
    return _transcript(system, examples, question)


def repair_messages(schema: str, skeleton: str, question: str, sql: str, error: str,
                    previous_sql: str | None = None,
                    examples: list[tuple[str, str]] | None = None,
                    hint: str = "") -> list[BaseMessage]:
    """Messages asking to fix `sql`, which the engine rejected with `error`; `hint` is a
    deterministic note on the error (the columns a table really has)."""
    messages = sql_messages(schema, skeleton, question, previous_sql, examples)
    note = f" {hint}" if hint else ""
    messages += [AIMessage(sql + ";"),
                 HumanMessage(f"Firebird rejected it: {error}.{note}\nWrite the corrected "
                              "SQL, using only the tables and columns listed.")]
    return messages


def answer_messages(facts: str, question: str) -> list[BaseMessage]:
    """Messages asking to word a schema answer from `facts`."""
    return _transcript(ANSWER_SYSTEM, [ANSWER_EXAMPLE],
                       f"Notes:\n{facts}\n\nQuestion: {question}")


def route_messages(question: str) -> list[BaseMessage]:
    """Messages asking for the category of `question` (the router's fallback)."""
    return _transcript(ROUTE_SYSTEM, ROUTE_EXAMPLES, question)
