"""Query plans: what a SELECT asks for as typed data, built from the question and the
schema document without a model, checked and compiled to Firebird SQL.

    question.py  the question read: words, numbers, dates, comparisons, cues (cues.yaml)
    link.py      words -> tables, columns, mapped codes and stored values
    reach.py     the tables a base table reaches along foreign keys
    propose.py   ranked plans for a question (Linker)
    plan.py      the plan (pydantic; docs/schemas/plan.schema.json)
    compile.py   plan -> Firebird SQL, refusing what the document lacks
"""
