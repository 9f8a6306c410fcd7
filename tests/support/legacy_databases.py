"""Databases as legacy ERPs have them, built with real engines by the tests that need them
(the file-version, charset NONE, dialect 1 and doctor tests): an ODS 12 file written by
Debian's Firebird 3, a charset NONE database holding Windows-1252 bytes, and a SQL
dialect 1 database with a reserved-word column. Each builder makes a new file; the tests
wrap them in module-scoped fixtures."""

from __future__ import annotations

from pathlib import Path

from firebird.driver import connect as fb_connect
from firebird.driver import connect_server, driver_config
from firebird.driver import create_database as fb_create_database

from schemachat.ingest.firebird import create_database, ensure_client
from tests.support.fbserver import fb3_database

FB3_SCRIPT = """
CREATE TABLE CLIENTE (CLI_COD INTEGER NOT NULL PRIMARY KEY, NOME VARCHAR(60) NOT NULL,
  CIDADE VARCHAR(40), ATIVO BOOLEAN);
CREATE TABLE PEDIDO (PED_NUM INTEGER NOT NULL PRIMARY KEY,
  CLI_COD INTEGER NOT NULL REFERENCES CLIENTE, VALOR NUMERIC(15,2));
COMMENT ON TABLE CLIENTE IS 'Cadastro de clientes';
INSERT INTO CLIENTE VALUES (1, 'Ana Souza', 'São Paulo', TRUE);
INSERT INTO CLIENTE VALUES (2, 'Bruno Lima', 'Maceió', FALSE);
INSERT INTO PEDIDO VALUES (10, 1, 99.90);
COMMIT;
"""


def fb3_erp(base: Path) -> Path:
    """`base`/erp3.fdb: an ODS 12 file written by Debian's Firebird 3 holding FB3_SCRIPT
    (the calling test is skipped without the package)."""
    return fb3_database(base, "erp3.fdb", FB3_SCRIPT)


CLIENTS = [(1, "Ana Conceição", "São Paulo", "SP"), (2, "João Brandão", "Maceió", "AL"),
           (3, "Márcia Ribeiro", "Belém", "PA")]


def none_erp(path: Path) -> Path:
    """A charset NONE database at `path`; CLIENTS written as Windows-1252 bytes, and a
    column (LIXO) of bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F)."""
    con = create_database(path, charset="NONE")
    con.execute_immediate("CREATE TABLE CLIENTE (CLI_COD INTEGER NOT NULL PRIMARY KEY, "
                          "NOME VARCHAR(60), CIDADE CHAR(20), UF CHAR(2), LIXO VARCHAR(20))")
    con.commit()
    con.close()
    # A WIN1252 connection writes cp1252 bytes into NONE columns as they are.
    with fb_connect(str(path), user="SYSDBA", charset="WIN1252") as con:
        for row in CLIENTS:
            con.cursor().execute("INSERT INTO CLIENTE (CLI_COD, NOME, CIDADE, UF, LIXO) "
                                 "VALUES (?, ?, ?, ?, x'818D8F41')", row)
        con.commit()
    assert "São Paulo".encode("cp1252") in path.read_bytes()
    return path


# Written in dialect 1 itself: "..." are strings, DATE values carry a time of day.
DIALECT1_SCRIPT = [
    "CREATE TABLE CLIENTE (CLI_COD INTEGER NOT NULL PRIMARY KEY, NOME VARCHAR(60) NOT NULL, "
    "CIDADE VARCHAR(40), CADASTRO DATE, LIMITE NUMERIC(15,2))",
    "CREATE TABLE PEDIDO (PED_NUM INTEGER NOT NULL PRIMARY KEY, "
    "CLI_COD INTEGER NOT NULL REFERENCES CLIENTE, EMISSAO DATE, VALOR NUMERIC(15,2))",
    'INSERT INTO CLIENTE VALUES (1, "Ana Souza", "São Paulo", "2022-01-10 09:15:00", 1500.5)',
    'INSERT INTO CLIENTE VALUES (2, "Bruno Lima", "Maceió", "2022-06-01 00:00:00", 800)',
    'INSERT INTO CLIENTE VALUES (3, "Carla Dias", "São Paulo", "2023-02-20 17:40:00", NULL)',
    'INSERT INTO PEDIDO VALUES (10, 1, "2023-03-15 14:30:00", 100.25)',
    'INSERT INTO PEDIDO VALUES (11, 3, "2023-12-31 23:00:00", 50)',
    'INSERT INTO PEDIDO VALUES (12, 2, "2024-01-02 08:00:00", 70)',
]
# A column named with a word Firebird 5 reserves, as InterBase-era schemas have. Dialect 1
# cannot create it (nor name it), and a dialect 3 client may not change a dialect 1
# database's metadata, so it is added while the database is switched to dialect 3 (as
# `gfix -sql_dialect` does, through the services API) and switched back.
RESERVED_COLUMN = 'ALTER TABLE CLIENTE ADD "POSITION" INTEGER'


def _registered(name: str, path: Path, **options: int) -> str:
    if driver_config.get_database(name) is None:
        db = driver_config.register_database(name)
        db.database.value = str(path)
        for key, value in options.items():
            getattr(db, key).value = value
    return name


def dialect1_erp(path: Path) -> Path:
    """A SQL dialect 1 database at `path` holding DIALECT1_SCRIPT and RESERVED_COLUMN."""
    ensure_client()
    con = fb_create_database(_registered(f"d1-create-{path}", path, db_sql_dialect=1,
                                         sql_dialect=1), user="SYSDBA", charset="UTF8")
    try:
        assert con.info.sql_dialect == 1
        for statement in DIALECT1_SCRIPT:
            con.execute_immediate(statement)
            con.commit()
    finally:
        con.close()
    with connect_server("service_mgr", user="SYSDBA") as srv:
        srv.database.set_sql_dialect(database=str(path), dialect=3)
        con = fb_connect(str(path), user="SYSDBA", charset="UTF8")
        try:
            con.execute_immediate(RESERVED_COLUMN)
            con.commit()
        finally:
            con.close()
        srv.database.set_sql_dialect(database=str(path), dialect=1)
    return path
