"""`schemachat doctor` run as a user would (the CLI as a subprocess), on real engines only:
the demo database (embedded Firebird 5), an ODS 12 file written by Debian's Firebird 3, a
charset NONE database holding Windows-1252 text, a dialect 1 database, a Firebird 3 server
with the read-only user docs/firebird.md creates, a server configured like a 2.5 one with
and without the auth setting, a server that never answers, a missing file; and the model
and index lines against a real model cache folder and a real index."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from firebird.driver import DatabaseError
from firebird.driver import connect as fb_connect
from firebird.driver import create_database as fb_create_database

from schemachat.agent.models import default
from schemachat.agent.retrieval import index_document
from schemachat.agent.retrieval.embeddings import SentenceEmbeddings
from schemachat.ingest.firebird import ensure_client
from schemachat.ingest.ods import read_ods
from tests.support import cli
from tests.support.fbserver import (
    LEGACY_PLUGINS,
    FirebirdServer,
    RestartableServer,
    find_install,
    isql,
)
from tests.support.legacy_databases import dialect1_erp, fb3_erp, none_erp
from tests.support.paths import REPO_ROOT
from tests.support.retrieval_fixtures import tiny_annotations, tiny_doc, tiny_workspace

LINE = re.compile(r"^(ok|warning|error)\s+(\S+)\s+(.*)$")
# The model is checked in its own test; the others leave it out of the way.
NO_MODEL = {"SCHEMACHAT_MODEL_BACKEND": "none"}


def doctor(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run `schemachat doctor ARGS`; the result and its lines by topic (each topic once)."""
    done = cli.run("doctor", *args, env={**NO_MODEL, **env})
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    lines: dict[str, str] = {}
    for line in done.stdout.splitlines()[:-1]:  # the last says usable or not
        match = LINE.match(line)
        assert match, f"not a finding: {line!r}"
        status, topic, text = match.groups()
        assert topic not in lines, f"{topic} twice"
        lines[topic] = f"{status}: {text}"
    return done, lines


# --- the demo database, the model and the index ----------------------------------------


def test_demo_database_is_usable(demo_db: Path, demo_workspace: Path) -> None:
    before = sorted(p.name for p in demo_workspace.iterdir())
    done, lines = doctor("--database", str(demo_db), "--workspace", str(demo_workspace))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "usable"
    assert lines["engine"].startswith("ok: Firebird embedded engine (firebird-embedded 5.")
    assert lines["engine"].endswith("; libtommath loaded")
    assert lines["model"].startswith("ok: none (model_backend none)")
    assert lines["index"] == (f"warning: no index in {demo_workspace / 'index'}: run "
                              "`schemachat index`")
    assert lines["database"] == (f"ok: file {demo_db}, opened by the engine in this process "
                                 "(embedded): opens")
    assert re.match(r"ok: Firebird 5\.0\.\d+ \(the embedded engine\), ODS 13\.1, written by "
                    r"Firebird 5$", lines["version"])
    assert lines["dialect"] == "ok: SQL dialect 3"
    assert lines["charset"] == "ok: default charset WIN1252"  # as the demo ERP declares
    assert lines["user"].startswith("warning: SYSDBA is an administrator: it can change "
                                    "everything in this database -> connect as a user that can "
                                    "only SELECT (docs/firebird.md, \"A user that can only read\")")
    assert lines["tables"] == "ok: 45 tables, 6 views"
    assert sorted(p.name for p in demo_workspace.iterdir()) == before  # nothing written


def test_model_cache_state(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    env = {"SCHEMACHAT_MODEL_BACKEND": "default", "SCHEMACHAT_MODEL_CACHE_DIR": str(cache)}
    done, lines = doctor("--workspace", str(tmp_path / "ws"), **env)
    folder = default.cached_model_dir(cache)
    assert done.returncode == 0, done.stdout  # a model still to convert is no error
    assert lines["model"] == (f"warning: {default.PACKAGE} {default.package_version()} is not "
                              f"converted yet (it goes to {folder}); the first question would "
                              "wait for it -> schemachat models prepare (about a minute and a "
                              "half, once)")
    assert lines["database"].startswith("warning: none given, so none checked -> pass --database")
    # What default.py writes last when a conversion ends: the copy counts as whole.
    folder.mkdir(parents=True)
    (folder / default.MARKER).write_text("{}")
    done = cli.run("doctor", "--workspace", str(tmp_path / "ws"), "--json", env=env)
    report = json.loads(done.stdout)  # one object, nothing else on stdout
    model = next(f for f in report["findings"] if f["topic"] == "model")
    assert model == {"topic": "model", "status": "ok", "fix": None,
                     "text": f"{default.PACKAGE} {default.package_version()}, converted in "
                             f"{folder}"}
    assert report["usable"] is True


def test_index_built_then_stale(tmp_path: Path, embeddings: SentenceEmbeddings) -> None:
    ws = tmp_path / "ws"
    settings = tiny_workspace(ws)
    index_document(tiny_doc(), ws / "index", settings, embeddings=embeddings)
    done, lines = doctor("--workspace", str(ws))
    assert done.returncode == 0, done.stdout
    assert re.match(rf"ok: {re.escape(str(ws / 'index'))}: \d+ chunks, built .* from the "
                    "merged document as it is now$", lines["index"])
    notes = tiny_annotations()
    next(iter(notes.objects.values())).description = "changed since the index was built"
    tiny_workspace(ws, tiny_doc(notes))  # the merged document changes
    done, lines = doctor("--workspace", str(ws))
    assert done.returncode == 0
    assert lines["index"] == (f"warning: the index in {ws / 'index'} is stale "
                              "(combined_schema_details.json changed since it was built): run "
                              "`schemachat index`")


# --- bad paths: one line each, exit 2 ----------------------------------------------------


def test_missing_file_folder_and_workspace_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.fdb"
    done, lines = doctor("--database", str(missing), "--workspace", str(tmp_path / "ws"))
    assert done.returncode == 2
    assert lines["database"] == f"error: database file not found: {missing}"
    assert done.stdout.splitlines()[-1] == "not usable: see the errors above"
    assert not {"version", "dialect", "charset", "user", "tables"} & set(lines)

    done, lines = doctor("--database", str(tmp_path), "--workspace", str(tmp_path / "ws"))
    assert done.returncode == 2
    assert lines["database"] == f"error: database path is a folder, not a file: {tmp_path}"

    pipe = tmp_path / "erp.fifo"
    os.mkfifo(pipe)  # opening it to read its header would wait for a writer for ever
    done, lines = doctor("--database", str(pipe), "--workspace", str(tmp_path / "ws"))
    assert done.returncode == 2
    assert lines["database"] == f"error: database path is not a regular file: {pipe}"

    (tmp_path / "ws.txt").write_text("not a folder")
    done, lines = doctor("--workspace", str(tmp_path / "ws.txt"))
    assert done.returncode == 2
    assert lines["index"].startswith(f"error: workspace is not a folder: {tmp_path / 'ws.txt'}")


def test_unusable_cache_folder_is_one_line(demo_db: Path, tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the user cache folder should be")
    done, lines = doctor("--database", str(demo_db), "--workspace", str(tmp_path / "ws"),
                         XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert done.returncode == 2
    assert lines["engine"].startswith("error: the Firebird runtime folder cannot be made: ")
    assert lines["engine"].endswith("-> make the user cache folder (XDG_CACHE_HOME, else "
                                    "~/.cache) a writable folder")
    assert lines["database"].startswith("error: not opened: ")


def test_silent_server_is_one_line_not_a_hang(tmp_path: Path) -> None:
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        dsn = f"127.0.0.1/{silent.getsockname()[1]}:/srv/erp.fdb"
        started = time.monotonic()
        done, lines = doctor("--database", dsn, "--workspace", str(tmp_path / "ws"),
                             SCHEMACHAT_STATEMENT_TIMEOUT_MS="1000", SCHEMACHAT_FB_PASSWORD="x")
        elapsed = time.monotonic() - started
    assert done.returncode == 2 and elapsed < 15
    assert lines["database"].startswith(f"error: cannot reach the Firebird server for {dsn}: "
                                        "no answer within 1 s")


# --- legacy databases ---------------------------------------------------------------------


def pages_changed(before: bytes, after: bytes, size: int) -> set[int]:
    """The page types (first byte) of the pages that differ."""
    return {after[i] for i in range(0, len(after), size) if after[i:i + size] != before[i:i + size]}


def test_fb3_file(tmp_path: Path) -> None:
    path = fb3_erp(tmp_path)
    ods = read_ods(path)
    before = path.read_bytes()
    done, lines = doctor("--database", str(path), "--workspace", str(tmp_path / "ws"))
    assert done.returncode == 0, done.stdout
    assert lines["engine12"].startswith("ok: Firebird 3's engine opens ODS 12")
    assert re.match(r"ok: Firebird 3\.0\.\d+ \(Firebird 3's engine, loaded for this file\), "
                    r"ODS 12\.0, written by Firebird 3$", lines["version"])
    assert lines["tables"] == "ok: 2 tables, 0 views"
    # Only what attaching changes (docs/firebird.md): header and transaction inventory pages.
    assert pages_changed(before, path.read_bytes(), ods.page_size) <= {1, 3, 5}
    assert read_ods(path) == ods


@pytest.fixture(scope="module")
def none_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A charset NONE database with Windows-1252 text; READER may SELECT from it."""
    path = none_erp(tmp_path_factory.mktemp("doctor-none") / "erp.fdb")
    with fb_connect(str(path), user="SYSDBA") as con:
        con.execute_immediate("GRANT SELECT ON CLIENTE TO READER")
        con.commit()
    return path


def test_none_database_encoding_detected_then_stored(none_db: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    done, lines = doctor("--database", str(none_db), "--workspace", str(ws))
    assert done.returncode == 0, done.stdout
    assert re.match(r"ok: default charset NONE; its text reads as WIN1252 \(detected now from "
                    rf"\d+ values; the first command that reads the database stores the choice "
                    rf"in {re.escape(str(ws / 'text_encoding.json'))}\)$", lines["charset"])
    assert not (ws / "text_encoding.json").exists()  # doctor only looks
    extracted = cli.run("extract", "--database", str(none_db), "--workspace", str(ws))
    assert extracted.returncode == 0, extracted.stderr
    done, lines = doctor("--database", str(none_db), "--workspace", str(ws))
    assert re.match(r"ok: default charset NONE; its text is read as WIN1252, stored in "
                    rf"{re.escape(str(ws / 'text_encoding.json'))} \(chosen from \d+ values\)$",
                    lines["charset"])
    done, lines = doctor("--database", str(none_db), "--workspace", str(ws),
                         SCHEMACHAT_FB_CHARSET="DOS850")
    assert lines["charset"] == ("ok: default charset NONE; its text is read as DOS850 "
                                "(SCHEMACHAT_FB_CHARSET)")


def test_embedded_user_with_select_only(none_db: Path, tmp_path: Path) -> None:
    done, lines = doctor("--database", str(none_db), "--workspace", str(tmp_path),
                         "--user", "READER")
    assert done.returncode == 0, done.stdout
    assert lines["user"] == ("ok: READER can only read: SELECT on 1 of 1 tables and views, no "
                             "INSERT, UPDATE or DELETE")
    ensure_client()
    with (fb_connect(str(none_db), user="READER") as con, con.cursor() as cur,
          pytest.raises(DatabaseError, match="no permission for UPDATE")):
        cur.execute("UPDATE CLIENTE SET UF = 'XX'")
    done, lines = doctor("--database", str(none_db), "--workspace", str(tmp_path),
                         "--user", "NOBODY")
    assert lines["user"].startswith("warning: NOBODY cannot write, but may SELECT from none of "
                                    "the 1 tables and views")


def test_dialect1_database(tmp_path: Path) -> None:
    path = dialect1_erp(tmp_path / "legado.fdb")
    done, lines = doctor("--database", str(path), "--workspace", str(tmp_path / "ws"))
    assert done.returncode == 0, done.stdout
    assert lines["dialect"].startswith("ok: SQL dialect 1 (InterBase heritage): schemachat "
                                       "speaks it: \"...\" is a string")
    assert lines["tables"] == "ok: 2 tables, 0 views"


# --- servers ------------------------------------------------------------------------------


def doc_sql(heading: str, marker: str) -> str:
    """The ```sql block of docs/firebird.md under `heading` that contains `marker`."""
    text = (REPO_ROOT / "docs" / "firebird.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    return next(b for b in blocks if marker in b)


def test_server_with_the_read_only_user_of_the_docs(firebird_server: FirebirdServer,
                                                    tmp_path: Path) -> None:
    ensure_client()
    fb = firebird_server
    dsn = fb.dsn(fb.data_dir / "doctor.fdb")
    con = fb_create_database(dsn, user=fb.user, password=fb.password, charset="UTF8",
                             overwrite=True)
    for statement in ("CREATE TABLE CLIENTE (CLI_COD INTEGER NOT NULL PRIMARY KEY, "
                      "NOME VARCHAR(60))", "CREATE VIEW V_CLI AS SELECT NOME FROM CLIENTE",
                      "INSERT INTO CLIENTE VALUES (1, 'Ana Souza')"):
        con.execute_immediate(statement)
        con.commit()
    con.close()
    password = "leitor-doctor-1"
    install = find_install()
    assert install is not None  # the server runs, so the package is there
    sql = doc_sql("A user that can only read", "EXECUTE BLOCK")
    isql(install, fb.data_dir.parent,
         sql.replace("CREATE USER READER", "CREATE OR ALTER USER READER")
         .replace("choose-one", password), dsn, fb.password)

    sysdba, lines = doctor("--database", dsn, "--workspace", str(tmp_path),
                           SCHEMACHAT_FB_PASSWORD=fb.password)
    assert sysdba.returncode == 0, sysdba.stdout
    assert lines["database"] == (f"ok: {fb.data_dir / 'doctor.fdb'} on the Firebird server at "
                                 f"{fb.host}/{fb.port}: opens")
    assert re.match(r"ok: Firebird 3\.0\.\d+ \(the server\), ODS 12\.0$", lines["version"])
    assert lines["user"].startswith("warning: SYSDBA is an administrator")

    env = {"SCHEMACHAT_FB_USER": "READER", "SCHEMACHAT_FB_PASSWORD": password,
           "SCHEMACHAT_FB_ROLE": "R_LEITURA"}
    reader, lines = doctor("--database", dsn, "--workspace", str(tmp_path), **env)
    assert reader.returncode == 0, reader.stdout
    assert lines["user"] == ("ok: READER (role R_LEITURA) can only read: SELECT on 2 of 2 "
                             "tables and views, no INSERT, UPDATE or DELETE")
    with (fb_connect(dsn, user="READER", password=password, role="R_LEITURA") as con,
          con.cursor() as cur):
        cur.execute("SELECT NOME FROM V_CLI")
        assert cur.fetchall() == [("Ana Souza",)]
        with pytest.raises(DatabaseError, match="no permission for INSERT"):
            cur.execute("INSERT INTO CLIENTE VALUES (2, 'Bruno')")


def test_legacy_server_names_the_auth_setting(legacy_server: tuple[RestartableServer, str],
                                              tmp_path: Path) -> None:
    server, dsn = legacy_server
    login = {"SCHEMACHAT_FB_USER": server.server.user,
             "SCHEMACHAT_FB_PASSWORD": server.server.password}
    refused, lines = doctor("--database", dsn, "--workspace", str(tmp_path), **login)
    assert refused.returncode == 2
    assert lines["database"].startswith(f"error: the Firebird server for {dsn} accepts none of "
                                        "the login methods offered")
    assert f'SCHEMACHAT_FB_AUTH_PLUGINS="{LEGACY_PLUGINS}"' in lines["database"]
    done, lines = doctor("--database", dsn, "--workspace", str(tmp_path), **login,
                         SCHEMACHAT_FB_AUTH_PLUGINS=LEGACY_PLUGINS)
    assert done.returncode == 0, done.stdout
    assert re.match(r"ok: Firebird 3\.0\.\d+ \(the server\), ODS 12\.0$", lines["version"])
    assert lines["tables"] == "ok: 1 table, 0 views"

