"""GET /databases, and which database a request is about: the one in its path
(`/databases/{db}/...`) or, for the unscoped routes, the default one.

A token limited to some databases (`api_token_databases`) gets 403 on any other, with
the same body whether that database exists or not, so names do not leak.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field

from schemachat.ui.api.auth import TokenSet, bearer
from schemachat.ui.api.databases import ServedDatabase, ServedDatabases
from schemachat.ui.api.models import COMMON, errors

FORBIDDEN = "no such database, or this token may not use it"

router = APIRouter(tags=["databases"], dependencies=[Depends(bearer)],
                   responses=errors(*COMMON))


class DatabaseInfo(BaseModel):
    name: str = Field(description="Use it in /databases/{name}/... and as model "
                                  "schemachat/{name}.")
    default: bool = Field(description="Whether the unscoped routes (/tables, /ask, ...) "
                                      "and the model `schemachat` answer from it.")


def usable(request: Request, name: str) -> ServedDatabase | None:
    """The served database `name` when the caller's token may use it, else None (the
    caller cannot tell a database it may not use from one that does not exist)."""
    databases: ServedDatabases = request.app.state.databases
    tokens: TokenSet = request.app.state.tokens
    found = databases.get(name)
    if found is None or not tokens.allows(request.state.who, name):
        return None
    return found


def _choose(request: Request, name: str) -> None:
    found = usable(request, name)
    if found is None:
        raise HTTPException(403, FORBIDDEN)
    request.state.database = found


# `who` is there for its dependency: the token is checked (401) before the database (403).
def in_path(request: Request, who: Annotated[str, Depends(bearer)],
            db: Annotated[str, Path(description="A database name (GET /databases).")]) -> None:
    """The route's database is the one its path names (403 when the token may not use it
    or there is none of that name)."""
    _choose(request, db)


def at_default(request: Request, who: Annotated[str, Depends(bearer)]) -> None:
    """The route's database is the default one (403 for a token limited to others)."""
    _choose(request, request.app.state.databases.default)


def current(request: Request) -> ServedDatabase:
    """The database chosen for this request by `in_path` or `at_default`."""
    database: ServedDatabase = request.state.database
    return database


@router.get("/databases", response_model=list[DatabaseInfo])
def list_databases(request: Request) -> list[DatabaseInfo]:
    """The databases this token may use, the default first (marked)."""
    databases: ServedDatabases = request.app.state.databases
    return [DatabaseInfo(name=n, default=n == databases.default) for n in databases.names
            if usable(request, n) is not None]
