"""The dialect fixer: model SQL in Postgres/MySQL/SQL Server habits -> Firebird.

Table-driven: (input, expected). Every expected query is then prepared by the engine on
the demo database, so each fix is one Firebird really accepts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.agent.sql.dialect import fix_dialect, known_names
from schemachat.agent.sql.guard import prepare_select
from schemachat.configs import load_settings
from schemachat.ingest.firebird import opened, read_only
from schemachat.ingest.models.combined import CombinedSchema
from schemachat.ingest.workspace import Workspace, read_model

NAMES = {"CAD_CLI", "CLI_COD", "CLI_NOMRAZ", "CLI_LIMCRED", "MOV_PED", "DT_EMISSAO",
         "VL_TOTAL", "STATUS", "TB_UF", "UF_NOME"}

CASES: list[tuple[str, str]] = [
    # LIMIT / OFFSET / TOP
    ("select * from cad_cli limit 10", "select * from cad_cli ROWS 10"),
    ("SELECT CLI_NOMRAZ FROM CAD_CLI ORDER BY 1 LIMIT 10 OFFSET 20",
     "SELECT CLI_NOMRAZ FROM CAD_CLI ORDER BY 1 ROWS 21 TO 30"),
    ("select * from cad_cli limit 20, 10", "select * from cad_cli ROWS 21 TO 30"),
    ("select * from cad_cli offset 5 limit 3", "select * from cad_cli ROWS 6 TO 8"),
    ("select * from cad_cli offset 5", "select * from cad_cli OFFSET 5 ROWS"),
    ("select * from cad_cli order by 1 offset 7 rows",
     "select * from cad_cli order by 1 offset 7 rows"),
    ("select top 5 * from cad_cli", "select FIRST 5 * from cad_cli"),
    ("select distinct top (3) status from mov_ped", "select FIRST 3 distinct status from mov_ped"),
    ("select cli_cod from cad_cli where cli_cod in (select cli_cod from mov_ped limit 1)",
     "select cli_cod from cad_cli where cli_cod in (select cli_cod from mov_ped ROWS 1)"),
    # SELECT without FROM
    ("select 1", "select 1 FROM RDB$DATABASE"),
    ("SELECT CURRENT_DATE;", "SELECT CURRENT_DATE FROM RDB$DATABASE;"),
    ("select 1 union all select 2",
     "select 1 FROM RDB$DATABASE union all select 2 FROM RDB$DATABASE"),
    ("select extract(year from current_date) -- ano",
     "select extract(year from current_date) FROM RDB$DATABASE -- ano"),
    ("select 1 is distinct from 2", "select 1 is distinct from 2 FROM RDB$DATABASE"),
    ("select (select count(*) from tb_uf) as n",
     "select (select count(*) from tb_uf) as n FROM RDB$DATABASE"),
    ("select cli_cod from cad_cli where cli_cod = (select 1)",
     "select cli_cod from cad_cli where cli_cod = (select 1 FROM RDB$DATABASE)"),
    # ILIKE
    ("select cli_nomraz from cad_cli where cli_nomraz ilike '%silva%'",
     "select cli_nomraz from cad_cli where cli_nomraz CONTAINING 'silva'"),
    ("select cli_nomraz from cad_cli c where c.cli_nomraz not ilike '%ltda%'",
     "select cli_nomraz from cad_cli c where c.cli_nomraz NOT CONTAINING 'ltda'"),
    ("select cli_nomraz from cad_cli where cli_nomraz ilike 'const%'",
     "select cli_nomraz from cad_cli where UPPER(cli_nomraz) LIKE UPPER('const%')"),
    ("select cli_nomraz from cad_cli where cli_nomraz ilike '%a_b%'",
     "select cli_nomraz from cad_cli where UPPER(cli_nomraz) LIKE UPPER('%a_b%')"),
    ("select cli_nomraz from cad_cli c where trim(c.cli_nomraz) ilike '%' || 'sil' || '%'",
     "select cli_nomraz from cad_cli c "
     "where UPPER(trim(c.cli_nomraz)) LIKE UPPER('%' || 'sil' || '%')"),
    # date and time
    ("select now()", "select CURRENT_TIMESTAMP FROM RDB$DATABASE"),
    ("select getdate(), curdate()", "select CURRENT_TIMESTAMP, CURRENT_DATE FROM RDB$DATABASE"),
    ("select count(*) from mov_ped where dt_emissao >= current_date - interval '30 days'",
     "select count(*) from mov_ped where dt_emissao >= DATEADD(-30 DAY TO current_date)"),
    ("select count(*) from mov_ped p where p.dt_emissao > CURRENT_DATE - INTERVAL '2' YEAR",
     "select count(*) from mov_ped p where p.dt_emissao > DATEADD(-2 YEAR TO CURRENT_DATE)"),
    ("select count(*) from mov_ped where dt_emissao < now() - interval 1 month",
     "select count(*) from mov_ped where dt_emissao < DATEADD(-1 MONTH TO CURRENT_TIMESTAMP)"),
    ("select dt_emissao + interval '1 week' from mov_ped",
     "select DATEADD(1 WEEK TO dt_emissao) from mov_ped"),
    # casts
    ("select vl_total::int, '2024-01-01'::date from mov_ped",
     "select CAST(vl_total AS INTEGER), CAST('2024-01-01' AS DATE) from mov_ped"),
    ("select (vl_total * 2)::numeric(15,2) from mov_ped",
     "select CAST((vl_total * 2) AS NUMERIC(15,2)) from mov_ped"),
    ("select status::int::text from mov_ped",
     "select CAST(CAST(status AS INTEGER) AS VARCHAR(8191)) from mov_ped"),
    ("select sum(vl_total)::double precision from mov_ped",
     "select CAST(sum(vl_total) AS DOUBLE PRECISION) from mov_ped"),
    # names
    ('select "cli_nomraz" from "cad_cli"', "select CLI_NOMRAZ from CAD_CLI"),
    ("select `cli_cod` from `cad_cli`", "select CLI_COD from CAD_CLI"),
    ('select "CLI_COD" from "Cad_Cli"', 'select "CLI_COD" from CAD_CLI'),
    ('select count(*) as "Total" from cad_cli', 'select count(*) as "Total" from cad_cli'),
    # other functions
    ("select ifnull(cli_limcred, 0), nvl(cli_limcred, 1) from cad_cli",
     "select COALESCE(cli_limcred, 0), COALESCE(cli_limcred, 1) from cad_cli"),
    ("select string_agg(uf_nome, ', '), len(max(uf_nome)) from tb_uf",
     "select LIST(uf_nome, ', '), CHAR_LENGTH(max(uf_nome)) from tb_uf"),
    # already Firebird, or in strings and comments: untouched
    ("select first 5 * from cad_cli", "select first 5 * from cad_cli"),
    ("select 'limit 5; now()' from rdb$database -- limit 3",
     "select 'limit 5; now()' from rdb$database -- limit 3"),
    ("select current_timestamp(3) from rdb$database",
     "select current_timestamp(3) from rdb$database"),
    ("select cli_nomraz from cad_cli where cli_nomraz containing 'x'",
     "select cli_nomraz from cad_cli where cli_nomraz containing 'x'"),
]


@pytest.mark.parametrize(("sql", "expected"), CASES)
def test_fix(sql: str, expected: str) -> None:
    fixed = fix_dialect(sql, NAMES)
    assert fixed.sql == expected
    assert bool(fixed.changes) == (sql != expected)


def test_fix_is_idempotent() -> None:
    for sql, expected in CASES:
        assert fix_dialect(expected, NAMES).sql == expected, sql


def test_unterminated_text_is_left_alone() -> None:
    assert fix_dialect("select 'oops limit 5", NAMES).sql == "select 'oops limit 5"


def test_changes_say_what_changed() -> None:
    fixed = fix_dialect("select now() limit 1", NAMES)
    assert fixed.changes == ["now() -> CURRENT_TIMESTAMP", "limit 1 -> ROWS 1",
                             "SELECT without FROM -> FROM RDB$DATABASE"]


def test_fixed_queries_prepare_on_the_demo_db(demo_db: Path, demo_workspace: Path) -> None:
    doc = read_model(Workspace(demo_workspace).combined, CombinedSchema)
    names = known_names(doc)
    assert names >= NAMES
    failures = []
    with opened(load_settings(fb_database=str(demo_db))) as con, read_only(con) as tra:
        cur = tra.cursor()
        for sql, expected in CASES:
            fixed = fix_dialect(sql, names).sql
            assert fixed == expected
            try:
                prepare_select(cur, fixed.rstrip(";")).free()
            except Exception as exc:
                failures.append(f"{fixed}: {exc}")
    assert not failures, "\n".join(failures)
