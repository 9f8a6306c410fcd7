"""GET /tables, GET /tables/{name}, and the annotations: GET /annotations,
GET/PUT /annotations/{object}, GET /annotations/{object}/history.

Saves go through the same AnnotationStore as the Annotate tab and the CLI: a PUT names the
revision it was based on and a newer save in between gets 409 with the stored note.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from schemachat.ingest.annotations import StaleEdit
from schemachat.ingest.models.annotations import HistoryEntry, ObjectNote, SchemaMetadata
from schemachat.ingest.models.combined import CombinedRelation, CombinedSchema
from schemachat.ui.api.auth import bearer
from schemachat.ui.api.database_routes import current
from schemachat.ui.api.models import COMMON, AnnotationEdit, StaleEditBody, TableSummary, errors
from schemachat.ui.context import AppContext

router = APIRouter(tags=["schema"], dependencies=[Depends(bearer)],
                   responses=errors(400, 404, *COMMON))


def _ctx(request: Request) -> AppContext:
    return current(request).ctx  # the database of the path, or the default


def _object_name(doc: CombinedSchema, name: str) -> str:
    """The stored name of a table, view or procedure (case-insensitive); 404 if none."""
    names = [r.name for r in doc.relations()] + [p.name for p in doc.procedures]
    for candidate in (name, name.upper()):
        if candidate in names:
            return candidate
    raise HTTPException(404, f"no table, view or procedure named {name!r}")


@router.get("/tables", response_model=list[TableSummary])
def list_tables(request: Request, q: Annotated[str | None, Query(max_length=200)] = None,
                kind: Annotated[str | None, Query(pattern="^(table|view)$")] = None
                ) -> list[TableSummary]:
    """Tables and views with their description and row count; `q` filters by name or
    description (case-insensitive)."""
    needle = (q or "").lower()
    found = []
    for rel in _ctx(request).doc().relations():
        description = rel.annotation.description if rel.annotation else rel.description
        if kind and rel.kind != kind:
            continue
        if needle and needle not in rel.name.lower() and needle not in (description or
                                                                         "").lower():
            continue
        found.append(TableSummary(name=rel.name, kind=rel.kind, description=description,
                                  columns=len(rel.columns),
                                  rows=rel.rows.rows if rel.rows else None))
    return found


@router.get("/tables/{name}", response_model=CombinedRelation)
def get_table(request: Request, name: str) -> CombinedRelation:
    """One table or view as the combined document has it: columns, keys, annotations,
    distributions, row count."""
    doc = _ctx(request).doc()
    rel = doc.relation(_object_name(doc, name))
    if rel is None:
        raise HTTPException(404, f"{name!r} is a procedure, not a table or view")
    return rel


@router.get("/annotations", response_model=SchemaMetadata)
def all_annotations(request: Request) -> SchemaMetadata:
    """Every annotation with its revision."""
    return _ctx(request).metadata()


@router.get("/annotations/{name}", response_model=ObjectNote)
def get_annotation(request: Request, name: str) -> ObjectNote:
    """The note of one object (revision 0 when nothing is written yet): send its
    `revision` back as `based_on` when saving."""
    ctx = _ctx(request)
    return ctx.store.get(_object_name(ctx.doc(), name))


@router.get("/annotations/{name}/history", response_model=list[HistoryEntry])
def annotation_history(request: Request, name: str,
                       column: Annotated[str | None, Query(max_length=200)] = None
                       ) -> list[HistoryEntry]:
    """Edits of one object, oldest first (only those touching `column`, if given)."""
    ctx = _ctx(request)
    return ctx.store.history(_object_name(ctx.doc(), name), column)


@router.put("/annotations/{name}", response_model=ObjectNote,
            responses={409: {"model": StaleEditBody, "description": "Saved by someone else "
                             "since `based_on`: reload, re-apply, save again."}})
async def put_annotation(request: Request, name: str, edit: AnnotationEdit
                         ) -> ObjectNote | JSONResponse:
    """Replace the note of one object (a whole-object save). 409 when `based_on` is not
    the stored revision any more; 400 when the note names columns the object lacks."""
    ctx = _ctx(request)
    obj = _object_name(ctx.doc(), name)
    who = f"api:{request.state.who}"

    def save() -> ObjectNote:
        saved = ctx.store.save(obj, edit.note(), based_on=edit.based_on, who=who)
        ctx.saved([obj])
        return saved

    try:
        return await run_in_threadpool(save)
    except StaleEdit as exc:
        body = StaleEditBody(detail=str(exc), current=exc.current)
        return JSONResponse(body.model_dump(mode="json"), status_code=409)
