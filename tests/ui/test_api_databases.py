"""Several databases behind one HTTP API, served for real (uvicorn on loopback) over two
real embedded databases registered in one databases file: the demo ERP (the default) and
a small clinic whose table names share nothing with the ERP's.

Checks: GET /databases, each database's routes under /databases/{db}/ (its tables, its
annotations, its answers: a question in one never cites the other's tables), the
unscoped routes meaning the default, one OpenAI model per database, and tokens limited
to databases (403 with one body for a database the token may not use and one that does
not exist; GET /databases and /v1/models list only the allowed ones). No chat model:
query plans answer (`model_backend none`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from schemachat.agent.adapters.schema import SchemaFingerprint, write_schema_fingerprint
from schemachat.configs import BadInput, load_settings
from schemachat.configs.databases import add_database
from schemachat.ingest.schema_fingerprint import workspace_shape
from schemachat.ui.api import create_app
from schemachat.ui.api.agents import parse_model
from schemachat.ui.api.databases import ServedDatabases
from tests.support.adapters import LLAMA, peft_folder
from tests.support.api import TOKEN, running, small_settings
from tests.support.clinic_database import CLINIC_TABLES
from tests.support.served_databases import TwoDatabases

ERP_TOKEN, CLINIC_TOKEN = "token-for-the-erp-only", "token-for-the-clinic-only"
FORBIDDEN = {"detail": "no such database, or this token may not use it"}


@pytest.fixture(scope="module")
def base(two_databases: TwoDatabases) -> Iterator[str]:
    """The API over both databases; TOKEN may use both, ERP_TOKEN and CLINIC_TOKEN one."""
    settings = load_settings(
        databases_file=two_databases.registry, model_backend="none",
        api_tokens=[TOKEN, ERP_TOKEN, CLINIC_TOKEN],
        api_token_databases="token2=erp,token3=clinic", api_rate_limit_per_minute=10_000)
    with running(create_app(settings)) as url:
        yield url


def _client(base: str, token: str | None = TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, timeout=60, headers=headers)


def _cited(answer: dict[str, Any]) -> set[str]:
    return {c["table"] for c in answer["citations"]}


def test_databases_lists_the_ones_the_token_may_use(base: str) -> None:
    with _client(base) as client:
        assert client.get("/databases").json() == [{"name": "erp", "default": True},
                                                   {"name": "clinic", "default": False}]
    with _client(base, CLINIC_TOKEN) as client:
        assert client.get("/databases").json() == [{"name": "clinic", "default": False}]
    with _client(base, None) as client:
        assert client.get("/databases").status_code == 401


def test_each_database_has_its_own_tables(base: str) -> None:
    with _client(base) as client:
        clinic = {t["name"] for t in client.get("/databases/clinic/tables").json()}
        erp = {t["name"] for t in client.get("/databases/erp/tables").json()}
        assert clinic == set(CLINIC_TABLES)
        assert "CAD_CLI" in erp and not erp & clinic
        # The unscoped routes are the default database's.
        assert {t["name"] for t in client.get("/tables").json()} == erp
        # A name search in one database never finds the other's tables.
        assert client.get("/databases/erp/tables", params={"q": "paciente"}).json() == []
        assert [t["name"] for t in client.get(
            "/databases/clinic/tables", params={"q": "paciente"}).json()] == ["PACIENTE"]
        assert client.get("/databases/clinic/tables/CAD_CLI").status_code == 404
        assert client.get("/databases/clinic/tables/paciente").json()["name"] == "PACIENTE"
        health = client.get("/databases/clinic/health").json()
        assert health["schema_loaded"] and health["index"] == "ready"
    assert httpx.get(f"{base}/databases/clinic/health").status_code == 401  # names hidden


def test_a_question_in_one_database_never_cites_the_other(base: str) -> None:
    question = {"question": "quantos pacientes temos?", "run": True}
    with _client(base) as client:
        clinic = client.post("/databases/clinic/sql", json=question).json()
        assert _cited(clinic) and _cited(clinic) <= set(CLINIC_TABLES)
        assert clinic["rows"] == [[3]] and clinic["error"] is None  # the clinic's engine
        erp = client.post("/databases/erp/sql", json=question).json()
        assert not _cited(erp) & set(CLINIC_TABLES)
        assert not _cited(client.post("/sql", json=question).json()) & set(CLINIC_TABLES)
        clients = client.post("/databases/clinic/ask",
                              json={"question": "onde ficam os clientes?"}).json()
        assert _cited(clients) <= set(CLINIC_TABLES)


def test_an_annotation_saved_in_one_database_stays_there(base: str,
                                                         two_databases: TwoDatabases) -> None:
    with _client(base) as client:
        note = client.get("/databases/clinic/annotations/MEDICO").json()
        saved = client.put("/databases/clinic/annotations/MEDICO", json={
            "based_on": note["revision"], "description": "Médicos que atendem na clínica."})
        assert saved.status_code == 200, saved.text
        assert client.get("/databases/clinic/tables/MEDICO").json()["annotation"][
            "description"] == "Médicos que atendem na clínica."
        assert client.get("/annotations/MEDICO").status_code == 404  # not the ERP's
        stored = client.post("/databases/clinic/feedback", json={
            "rating": "up", "question": "quantos pacientes temos?"})
        assert stored.status_code == 201
    assert "MEDICO" in (two_databases.clinic / "schema_metadata.json").read_text("utf-8")
    assert "MEDICO" not in (two_databases.erp / "schema_metadata.json").read_text("utf-8")
    assert (two_databases.clinic / "feedback.jsonl").exists()


def test_one_openai_model_per_database(base: str) -> None:
    chat = openai.OpenAI(base_url=f"{base}/v1", api_key=TOKEN, max_retries=0, timeout=60)
    ids = [m.id for m in chat.models.list()]
    assert ids[:2] == ["schemachat", "schemachat:none"]  # the default's, as before
    assert ids[-2:] == ["schemachat/erp", "schemachat/clinic"]
    question = [{"role": "user", "content": "quantos pacientes temos?"}]
    reply = chat.chat.completions.create(model="schemachat/clinic", messages=question)
    assert reply.model_extra
    answer = reply.model_extra["schemachat"]
    assert _cited(answer) and _cited(answer) <= set(CLINIC_TABLES)
    assert "PACIENTE" in (reply.choices[0].message.content or "")
    for model in ("schemachat/erp", "schemachat"):
        erp = chat.chat.completions.create(model=model, messages=question).model_extra
        assert erp and not _cited(erp["schemachat"]) & set(CLINIC_TABLES)
    # Under /databases/{db}/v1, `schemachat` is that database.
    scoped = openai.OpenAI(base_url=f"{base}/databases/clinic/v1", api_key=TOKEN,
                           max_retries=0, timeout=60)
    answer = scoped.chat.completions.create(model="schemachat", messages=question).model_extra
    assert answer and _cited(answer["schemachat"]) <= set(CLINIC_TABLES)


def test_an_adapter_of_another_database_is_refused_naming_both(
        base: str, two_databases: TwoDatabases) -> None:
    """An adapter trained on the ERP found in the clinic's workspace is refused when a
    request asks for it there (400, both databases named by their registered names),
    even with a backend that would ignore it (`none` here)."""
    erp = workspace_shape(two_databases.erp)
    assert erp is not None
    folder = peft_folder(two_databases.clinic / "adapters" / "schema-erp", LLAMA)
    write_schema_fingerprint(folder, SchemaFingerprint.of(erp, "erp"))
    needles = (f"adapter 'schema-erp' was trained on database 'erp' (demo.fdb, schema "
               f"{erp.short})", "holds 'clinic' (clinic.fdb", "schemachat retrain --db clinic")
    question = "quantos pacientes temos?"
    try:
        with _client(base) as client:
            refused = client.post("/databases/clinic/ask",
                                  json={"question": question, "adapters": ["schema-erp"]})
        assert refused.status_code == 400, refused.text
        assert all(n in refused.json()["detail"] for n in needles), refused.text
        chat = openai.OpenAI(base_url=f"{base}/v1", api_key=TOKEN, max_retries=0, timeout=60)
        with pytest.raises(openai.BadRequestError) as bad:
            chat.chat.completions.create(model="schemachat/clinic@schema-erp",
                                         messages=[{"role": "user", "content": question}])
        assert all(n in str(bad.value) for n in needles), str(bad.value)
    finally:  # the workspaces are shared by the session's tests
        shutil.rmtree(folder)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/tables", None),
    ("GET", "/tables/PACIENTE", None),
    ("GET", "/annotations", None),
    ("PUT", "/annotations/PACIENTE", {"based_on": 0, "description": "x"}),
    ("POST", "/ask", {"question": "quantos pacientes temos?"}),
    ("POST", "/feedback", {"rating": "up", "question": "q"}),
    ("GET", "/health", None),
    ("GET", "/v1/models", None),
])
def test_a_token_for_one_database_gets_one_403_for_the_others(
        base: str, method: str, path: str, body: dict[str, Any] | None) -> None:
    with _client(base, ERP_TOKEN) as client:
        forbidden = client.request(method, f"/databases/clinic{path}", json=body)
        missing = client.request(method, f"/databases/nope{path}", json=body)
        assert forbidden.status_code == missing.status_code == 403
        assert forbidden.json() == missing.json() == FORBIDDEN
        assert forbidden.headers["content-length"] == missing.headers["content-length"]
    with _client(base, None) as client:  # no token: 401 first, whatever the database
        assert client.request(method, f"/databases/nope{path}", json=body).status_code == 401


def test_a_limited_token_sees_only_its_models_and_not_the_default(base: str) -> None:
    with _client(base, CLINIC_TOKEN) as client:
        assert client.get("/tables").json() == FORBIDDEN  # the default is the ERP
        assert client.get("/v1/models").json()["data"] == [
            {"id": "schemachat/clinic", "object": "model", "created": 0,
             "owned_by": "schemachat"}]
        assert client.get("/databases/clinic/tables").status_code == 200
    chat = openai.OpenAI(base_url=f"{base}/v1", api_key=CLINIC_TOKEN, max_retries=0,
                         timeout=60)
    refusals = []
    for model in ("schemachat", "schemachat/erp", "schemachat/nope"):
        with pytest.raises(openai.PermissionDeniedError) as refused:
            chat.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "quantos clientes?"}])
        refusals.append(refused.value.body)
    assert refusals[0] == refusals[1] == refusals[2]
    assert chat.chat.completions.create(
        model="schemachat/clinic", messages=[{"role": "user", "content": "quantos pacientes?"}]
    ).choices[0].message.content


def test_model_names_carry_the_database() -> None:
    assert parse_model("schemachat/clinic:fake@sales+hr") == (
        "clinic", "fake", ("sales", "hr"))
    assert parse_model("schemachat") == (None, None, None)
    with pytest.raises(BadInput, match="unknown model"):
        parse_model("schemachat/Clinic")


def test_limits_naming_no_token_or_no_database_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="names token 'ana', which is no token"):
        create_app(small_settings(tmp_path / "a", api_token_databases={"ana": ["default"]}))
    with pytest.raises(BadInput, match="token 'token1' names erp, not served"):
        create_app(small_settings(tmp_path / "b", api_token_databases="token1=erp"))


def test_nothing_registered_serves_default(tmp_path: Path) -> None:
    settings = small_settings(tmp_path / "ws")
    with running(create_app(settings)) as url, _client(url) as client:
        assert client.get("/databases").json() == [{"name": "default", "default": True}]
        assert client.get("/databases/default/tables").json() == client.get("/tables").json()
        assert [m["id"] for m in client.get("/v1/models").json()["data"]] == [
            "schemachat", "schemachat:none", "schemachat/default"]


def test_db_chooses_the_default_of_the_unscoped_routes(tmp_path: Path) -> None:
    registry = tmp_path / "databases.json"
    small_settings(tmp_path / "one")
    small_settings(tmp_path / "two")
    add_database(registry, "one", "one.fdb", tmp_path / "one")
    add_database(registry, "two", "two.fdb", tmp_path / "two")
    settings = load_settings(databases_file=registry, db="two", api_tokens=[TOKEN],
                             model_backend="none")
    with running(create_app(settings)) as url, _client(url) as client:
        assert client.get("/databases").json() == [{"name": "two", "default": True},
                                                   {"name": "one", "default": False}]


def test_a_shared_sessions_store_keeps_each_databases_conversations_apart(
        tmp_path: Path) -> None:
    """With sessions_url every database's agents use one store: the same session id in
    two databases must be two conversations. Each workspace's own SQLite file (the
    default) keeps them apart already."""
    registry = tmp_path / "databases.json"
    add_database(registry, "one", "one.fdb", tmp_path / "one")
    add_database(registry, "two", "two.fdb", tmp_path / "two")
    shared = ServedDatabases(load_settings(databases_file=registry,
                                           sessions_url=f"sqlite:///{tmp_path}/s.sqlite"))
    assert [shared.named(n).session("s-1") for n in ("one", "two")] == ["one:s-1", "two:s-1"]
    own = ServedDatabases(load_settings(databases_file=registry))
    assert own.named("two").session("s-1") == "s-1"
    assert ServedDatabases(load_settings(databases_file=tmp_path / "none.json",
                                         sessions_url=f"sqlite:///{tmp_path}/s.sqlite")
                           ).first.session("s-1") == "s-1"  # nothing registered: as before
