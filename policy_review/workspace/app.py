"""The workspace's web application: sign-in, pages, and the JSON API under /api.

Every /api call needs a session cookie or `Authorization: Bearer TOKEN` (else 401). Pages and
forms use the session; anything that changes data with a cookie also needs the session's CSRF
token (a hidden form field, or the X-CSRF-Token header from the pages' scripts). Pages are the
report's templates under the report's strict Content-Security-Policy (inline assets by hash).
"""

from __future__ import annotations

import contextlib
import datetime
import html
import json
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from policy_review import __version__
from policy_review.compare import Comparison
from policy_review.errors import PolicyReviewError
from policy_review.extract import ExtractLimits
from policy_review.render import (
    DECISION_LABELS,
    REPORT_SCRIPT,
    REPORT_STYLE,
    parse_decisions,
    render_page,
)
from policy_review.render_compare import COMPARE_SCRIPT, COMPARE_STYLE, compare_view
from policy_review.workspace import accounts
from policy_review.workspace.blobs import BlobStore, TooLarge
from policy_review.workspace.store import (
    Choice,
    DecisionEntry,
    DecisionSource,
    JobStatus,
    Outcome,
    QueueFilter,
    Store,
    Submission,
    SubmissionStatus,
    User,
    iso,
    now,
)
from policy_review.workspace.versions import compare_stored, compare_with_previous

SESSION_COOKIE = "policy_review_session"
LOGIN_COOKIE = "policy_review_login"
CSRF_HEADER = "x-csrf-token"
SESSION_LIFETIME = datetime.timedelta(hours=12)
MULTIPART_OVERHEAD_BYTES = 2**20
"""Room for form fields and part headers around an upload of exactly --max-bytes."""
DRAIN_LIMIT_BYTES = 2 * 2**30
"""A refused upload is read (and dropped) up to this size so its sender can read the 413."""
MAX_AGENCY_CHARS = 200
MAX_NOTE_CHARS = 10_000
MAX_JSON_BODY_BYTES = 2**20
MAX_DECISIONS_FILE_BYTES = 8 * 2**20
UPLOAD_PATHS = ("/api/submissions", "/upload")
SECTIONS_NOT_COMPARED = (
    "Sections not compared: the workspace keeps each version's analysis, which carries no "
    "headings. Run policy-review compare on the two files to compare their sections."
)
WORKSPACE_STYLE = "workspace/workspace.css"
OUTCOME_LABELS = {
    Outcome.MEETS: "Meets the requirements",
    Outcome.NEEDS_REVISION: "Needs revision",
    Outcome.DOES_NOT_MEET: "Does not meet the requirements",
}
AGENCY_TYPE_CHOICES = ("law enforcement", "PSAP", "both", "other")
# Queue order, like the batch index: what needs a person first, settled reviews last.
_STATUS_GROUP = {
    SubmissionStatus.FAILED: 0,
    SubmissionStatus.READY: 1,
    SubmissionStatus.IN_REVIEW: 1,
    SubmissionStatus.ANALYSING: 2,
    SubmissionStatus.QUEUED: 2,
    SubmissionStatus.DECIDED: 3,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """What the application needs from `serve`; `wake` tells the job runner about an upload."""

    store: Store
    blobs: BlobStore
    limits: ExtractLimits
    wake: Callable[[], None]
    on_startup: Callable[[], None] = lambda: None
    on_shutdown: Callable[[], None] = lambda: None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling; `csrf` is the session's token, None for a Bearer token (no cookie)."""

    user: User
    csrf: str | None


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _BodyTooLarge(Exception):
    """Raised while reading a request body that outgrows the upload limit."""


def rank_submissions(items: Sequence[Submission]) -> list[Submission]:
    """Triage order: unreadable files first, then the furthest from ready, like `batch`."""
    return sorted(
        items,
        key=lambda s: (
            _STATUS_GROUP[s.status],
            -s.critical_missing,
            -s.red_flags,
            -s.low_confidence,
            s.id,
        ),
    )


def create_app(settings: Settings) -> Starlette:
    store, blobs = settings.store, settings.blobs

    def db(function, *args, **kwargs):
        """Database work runs in the thread pool, never on the event loop."""
        return run_in_threadpool(function, *args, **kwargs)

    # ------------------------------------------------------------ who is calling

    async def caller(request: Request) -> Caller | None:
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            user = await db(store.user_for_token, accounts.token_hash(header[7:].strip()))
            return Caller(user, None) if user else None
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        found = await db(store.session, accounts.token_hash(cookie))
        return Caller(*found) if found else None

    async def api_caller(request: Request, *, changes: bool = False) -> Caller:
        who = await caller(request)
        if who is None:
            raise ApiError(401, "sign in, or send 'Authorization: Bearer TOKEN'")
        if changes and who.csrf is not None:
            _check_csrf(request.headers.get(CSRF_HEADER, ""), who.csrf)
        return who

    async def page_caller(request: Request) -> Caller:
        who = await caller(request)
        if who is None or who.csrf is None:
            raise HTTPException(303, headers={"Location": "/login"})
        return who

    async def form_caller(request: Request, form) -> Caller:
        who = await page_caller(request)
        _check_csrf(str(form.get("csrf", "")), who.csrf)
        return who

    def page(name: str, context: dict, *, scripts=(), styles=()) -> Response:
        rendered = render_page(
            f"workspace/{name}",
            {"tool_version": __version__, **context},
            scripts=scripts,
            styles=(*styles, WORKSPACE_STYLE),
            same_origin=True,
        )
        return HTMLResponse(rendered.html, headers=_page_headers(rendered.csp))

    def chrome(who: Caller) -> dict:
        return {"user": who.user.name, "csrf": who.csrf}

    async def submission_or_404(submission_id: int) -> Submission:
        found = await db(store.submission, submission_id)
        if found is None:
            raise ApiError(404, f"no submission {submission_id}")
        return found

    # ------------------------------------------------------------ sign-in

    async def login_form(request: Request) -> Response:
        token = secrets.token_urlsafe(32)
        response = page(
            "login.html.j2",
            {"login_csrf": token, "failed": "failed" in request.query_params},
        )
        _set_cookie(request, response, LOGIN_COOKIE, token, max_age=3600)
        return response

    async def login(request: Request) -> Response:
        form = await request.form()
        _check_csrf(str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, ""))
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        user = await db(accounts.sign_in, store, name, password)
        if user is None:
            return RedirectResponse("/login?failed=1", status_code=303)
        token = accounts.new_token()
        await db(
            store.add_session,
            accounts.token_hash(token),
            user,
            secrets.token_urlsafe(32),
            now() + SESSION_LIFETIME,
        )
        response = RedirectResponse("/", status_code=303)
        _set_cookie(
            request,
            response,
            SESSION_COOKIE,
            token,
            max_age=int(SESSION_LIFETIME.total_seconds()),
        )
        response.delete_cookie(LOGIN_COOKIE)
        return response

    async def logout(request: Request) -> Response:
        form = await request.form()
        await form_caller(request, form)
        await db(store.end_session, accounts.token_hash(request.cookies[SESSION_COOKIE]))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # ------------------------------------------------------------ pages

    async def queue_page(request: Request) -> Response:
        who = await page_caller(request)
        wanted = _queue_filter(request)
        everything = await db(store.list_submissions)
        shown = rank_submissions(await db(store.list_submissions, wanted))
        counts = Counter(s.status for s in everything)
        return page(
            "queue.html.j2",
            {
                **chrome(who),
                "rows": [_row_view(s) for s in shown],
                "total": len(everything),
                "counts": [(status.value, counts.get(status, 0)) for status in SubmissionStatus],
                "pending": counts[SubmissionStatus.QUEUED] + counts[SubmissionStatus.ANALYSING],
                "filter": wanted,
                "statuses": [status.value for status in SubmissionStatus],
                "agencies": await db(store.agencies),
                "agency_types": AGENCY_TYPE_CHOICES,
                "reviewers": await db(store.reviewer_names),
            },
            scripts=("workspace/refresh.js",),
        )

    async def upload_page(request: Request) -> Response:
        who = await page_caller(request)
        return page(
            "upload.html.j2",
            {**chrome(who), "max_size": f"{settings.limits.max_bytes / 2**20:.3g} MiB"},
            scripts=("workspace/upload.js",),
        )

    async def upload_form(request: Request) -> Response:
        """Without JavaScript: several files under one agency name, then back to the queue."""
        form = await _read_form(request)
        who = await form_caller(request, form)
        agency = _agency(form.get("agency"))
        files = [item for item in form.getlist("file") if isinstance(item, UploadFile)]
        if not files:
            raise ApiError(400, "choose at least one file")
        for upload in files:
            await store_upload(upload, agency, who.user)
        return RedirectResponse("/", status_code=303)

    async def submission_page(request: Request) -> Response:
        who = await page_caller(request)
        submission = await submission_or_404(request.path_params["id"])
        context: dict[str, Any] = {
            **chrome(who),
            "s": _row_view(submission),
            "report_body": "",
            "page_data": {},
            "history": [],
            "determinations": [],
            "outcomes": [(o.value, label) for o, label in OUTCOME_LABELS.items()],
            "imported": request.query_params.get("imported", ""),
            "skipped": request.query_params.get("skipped", ""),
        }
        stored = await db(store.report, submission.id)
        if stored is None:
            return page("submission.html.j2", context, scripts=("workspace/refresh.js",))
        entries = await db(store.decisions, submission.id)
        context["report_body"] = Markup(stored.body)  # rendered by our autoescaping templates
        context["page_data"] = {
            **stored.page_data,
            "server": True,
            "imported": _current_decisions(stored.page_data, entries),
            "api": f"/api/submissions/{submission.id}/decisions/",
            "csrf": who.csrf,
            "labels": DECISION_LABELS,
        }
        context["history"] = [_entry_view(entry) for entry in entries]
        context["determinations"] = [
            {**d.to_dict(), "label": OUTCOME_LABELS[d.outcome]}
            for d in await db(store.determinations, submission.id)
        ]
        return page(
            "submission.html.j2",
            context,
            scripts=(REPORT_SCRIPT, "workspace/submission.js"),
            styles=(REPORT_STYLE,),
        )

    async def determination_form(request: Request) -> Response:
        form = await request.form()
        who = await form_caller(request, form)
        submission = await submission_or_404(request.path_params["id"])
        await decide_overall(submission, form.get("outcome"), form.get("note"), who.user)
        return RedirectResponse(f"/submissions/{submission.id}#determination", status_code=303)

    async def import_form(request: Request) -> Response:
        form = await _read_form(request)
        who = await form_caller(request, form)
        submission = await submission_or_404(request.path_params["id"])
        upload = form.get("decisions")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "choose a decisions file exported from the HTML report")
        raw = await upload.read(MAX_DECISIONS_FILE_BYTES + 1)
        imported, skipped = await import_decisions(submission, raw, upload.filename, who.user)
        query = urlencode({"imported": imported, "skipped": skipped})
        return RedirectResponse(f"/submissions/{submission.id}?{query}#history", status_code=303)

    async def agency_page(request: Request) -> Response:
        who = await page_caller(request)
        name = request.query_params.get("name", "")
        found = await db(store.list_submissions, QueueFilter(agency=name))
        found.sort(key=lambda s: (s.uploaded_at, s.id), reverse=True)
        compared = await db(compare_with_previous, store, found)
        rows = [{**_row_view(s), "versions": _versions_view(s, compared.get(s.id))} for s in found]
        return page("agency.html.j2", {**chrome(who), "agency": name, "rows": rows})

    async def compared_pair(request: Request) -> tuple[Submission, Submission, Comparison]:
        """The path's `{id}` (the new version) and `{other_id}` (the old one), compared."""
        new = await submission_or_404(request.path_params["id"])
        old = await submission_or_404(request.path_params["other_id"])
        reports = []
        for submission in (old, new):
            stored = await db(store.report_json, submission.id)
            if stored is None:
                raise ApiError(
                    409, f"submission {submission.id} is {submission.status}, not analysed"
                )
            reports.append(stored)
        return old, new, await db(compare_stored, old, reports[0], new, reports[1])

    async def compare_page(request: Request) -> Response:
        who = await page_caller(request)
        old, new, comparison = await compared_pair(request)
        return page(
            "compare.html.j2",
            {
                **chrome(who),
                **compare_view(comparison),
                "sections_not_compared": SECTIONS_NOT_COMPARED,
                "old_submission": _row_view(old),
                "new_submission": _row_view(new),
            },
            scripts=(COMPARE_SCRIPT,),
            styles=(COMPARE_STYLE,),
        )

    # ------------------------------------------------------------ API

    async def store_upload(upload: UploadFile, agency: str, user: User) -> int:
        file_name = (upload.filename or "upload").strip()[:300] or "upload"
        try:
            stored = await db(blobs.put, upload.file, max_bytes=settings.limits.max_bytes)
        except TooLarge as exc:
            raise ApiError(413, str(exc)) from None
        submission_id = await db(
            store.add_submission,
            agency=agency,
            file_name=file_name,
            sha256=stored.sha256,
            size=stored.size,
            user=user,
        )
        settings.wake()
        return submission_id

    async def api_upload(request: Request) -> Response:
        who = await api_caller(request, changes=True)
        form = await _read_form(request)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "send the document as the multipart field 'file'")
        submission_id = await store_upload(upload, _agency(form.get("agency")), who.user)
        return JSONResponse({"id": submission_id, "status": JobStatus.QUEUED.value}, 201)

    async def api_list(request: Request) -> Response:
        await api_caller(request)
        found = await db(store.list_submissions, _queue_filter(request))
        return JSONResponse(
            [{"rank": rank, **s.to_dict()} for rank, s in enumerate(rank_submissions(found), 1)]
        )

    async def api_submission(request: Request) -> Response:
        await api_caller(request)
        submission = await submission_or_404(request.path_params["id"])
        stored = await db(store.report, submission.id)
        report = json.loads(stored.report_json) if stored else None
        return JSONResponse({**submission.to_dict(), "report": report})

    async def api_compare(request: Request) -> Response:
        await api_caller(request)
        _old, _new, comparison = await compared_pair(request)
        return JSONResponse(comparison.to_dict())

    async def api_decisions(request: Request) -> Response:
        await api_caller(request)
        submission = await submission_or_404(request.path_params["id"])
        grouped: dict[str, list[dict]] = {}
        for entry in await db(store.decisions, submission.id):
            grouped.setdefault(entry.element, []).append(entry.to_dict())
        return JSONResponse(grouped)

    async def api_decide(request: Request) -> Response:
        who = await api_caller(request, changes=True)
        submission = await submission_or_404(request.path_params["id"])
        body = await _json_body(request)
        stored = await db(store.report, submission.id)
        if stored is None:
            raise ApiError(409, f"submission {submission.id} is {submission.status}, not analysed")
        element = request.path_params["element"]
        checklist = _checklist_of(stored.page_data, element, body.get("checklist"))
        choice, note = _choice(body.get("decision")), _note(body.get("note"))
        (entry,) = await db(
            store.add_decisions,
            submission.id,
            [(checklist, element, choice, note)],
            who.user,
            DecisionSource.WORKSPACE,
        )
        return JSONResponse(entry.to_dict())

    async def api_import(request: Request) -> Response:
        who = await api_caller(request, changes=True)
        submission = await submission_or_404(request.path_params["id"])
        raw = await _bounded_body(request, MAX_DECISIONS_FILE_BYTES)
        imported, skipped = await import_decisions(submission, raw, "the request", who.user)
        return JSONResponse({"imported": imported, "skipped": skipped})

    async def api_determination(request: Request) -> Response:
        who = await api_caller(request, changes=True)
        submission = await submission_or_404(request.path_params["id"])
        body = await _json_body(request)
        saved = await decide_overall(
            submission, body.get("determination"), body.get("note"), who.user
        )
        return JSONResponse(saved)

    async def decide_overall(submission: Submission, outcome, note, user: User) -> dict:
        if submission.job_status is not JobStatus.READY:
            raise ApiError(409, f"submission {submission.id} has no report to decide on")
        try:
            chosen = Outcome(str(outcome or ""))
        except ValueError:
            choices = ", ".join(o.value for o in Outcome)
            raise ApiError(400, f"the determination is one of: {choices}") from None
        saved = await db(store.add_determination, submission.id, chosen, _note(note), user)
        return saved.to_dict()

    async def import_decisions(
        submission: Submission, raw: bytes, source: str | None, user: User
    ) -> tuple[int, int]:
        """Add a `policy-review/decisions@1` file's entries to the history; (added, skipped)."""
        if len(raw) > MAX_DECISIONS_FILE_BYTES:
            raise ApiError(413, "the decisions file is too large")
        stored = await db(store.report, submission.id)
        if stored is None:
            raise ApiError(409, f"submission {submission.id} has no report yet")
        try:
            parsed = parse_decisions(raw.decode("utf-8"), source=source or "the decisions file")
        except UnicodeDecodeError:
            raise ApiError(400, "the decisions file is not UTF-8 text") from None
        except PolicyReviewError as exc:
            raise ApiError(400, str(exc)) from None
        if parsed.sha256 != submission.sha256:
            raise ApiError(
                400,
                f"these decisions were exported for another document "
                f"(sha256 {parsed.sha256[:12]}…, this one is {submission.sha256[:12]}…)",
            )
        known = {(e["checklist"], e["element"]) for e in stored.page_data["elements"]}
        items = [
            (item.checklist, item.element, Choice(item.decision), item.note[:MAX_NOTE_CHARS])
            for item in parsed.items
            if (item.checklist, item.element) in known and (item.decision or item.note)
        ]
        await db(store.add_decisions, submission.id, items, user, DecisionSource.IMPORT)
        return len(items), len(parsed.items) - len(items)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    # ------------------------------------------------------------ errors

    async def api_error(request: Request, exc: ApiError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.message}, exc.status)
        return HTMLResponse(
            _plain_error_page(exc.status, exc.message),
            status_code=exc.status,
            headers=_page_headers("default-src 'none'"),
        )

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 303:
            return RedirectResponse(exc.headers["Location"], status_code=303)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, exc.status_code)
        return HTMLResponse(
            _plain_error_page(exc.status_code, str(exc.detail)),
            status_code=exc.status_code,
            headers=_page_headers("default-src 'none'"),
        )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await run_in_threadpool(settings.on_startup)
        try:
            yield
        finally:
            await run_in_threadpool(settings.on_shutdown)

    routes = [
        Route("/healthz", healthz),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", queue_page),
        Route("/upload", upload_page, methods=["GET"]),
        Route("/upload", upload_form, methods=["POST"]),
        Route("/agency", agency_page),
        Route("/submissions/{id:int}", submission_page),
        Route("/submissions/{id:int}/determination", determination_form, methods=["POST"]),
        Route("/submissions/{id:int}/import", import_form, methods=["POST"]),
        Route("/submissions/{id:int}/compare/{other_id:int}", compare_page),
        Route("/api/submissions", api_list, methods=["GET"]),
        Route("/api/submissions", api_upload, methods=["POST"]),
        Route("/api/submissions/{id:int}", api_submission),
        Route("/api/submissions/{id:int}/decisions", api_decisions),
        Route("/api/submissions/{id:int}/compare/{other_id:int}", api_compare),
        Route("/api/submissions/{id:int}/decisions/import", api_import, methods=["POST"]),
        Route("/api/submissions/{id:int}/decisions/{element}", api_decide, methods=["PUT"]),
        Route("/api/submissions/{id:int}/determination", api_determination, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error, HTTPException: http_error},
        lifespan=lifespan,
    )
    return _UploadLimit(app, settings.limits.max_bytes + MULTIPART_OVERHEAD_BYTES)


class _UploadLimit:
    """ASGI wrapper: uploads larger than the limit get 413 before the server stores them."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] not in UPLOAD_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            # A client waiting for "100 Continue" has sent nothing yet; any other is sending
            # the body now, and closing on unread data would reset the connection before it
            # could read the answer, so the body is read and dropped first.
            if headers.get(b"expect", b"").lower() != b"100-continue":
                await _drain(receive)
            await _too_large(send)
            return
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _BodyTooLarge
            return message

        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _drain(receive)
                await _too_large(send)


async def _drain(receive) -> None:
    """Read and drop the rest of a refused body, up to DRAIN_LIMIT_BYTES."""
    drained = 0
    while drained <= DRAIN_LIMIT_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return
        drained += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _too_large(send) -> None:
    body = json.dumps({"error": "the upload is larger than the server's --max-bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------- request helpers


async def _read_form(request: Request):
    try:
        return await request.form(max_files=1000, max_fields=100)
    except _BodyTooLarge:
        raise
    except Exception as exc:  # python-multipart's errors: a malformed body is the client's fault
        raise ApiError(400, f"the request is not a valid multipart form ({exc})") from None


async def _bounded_body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request) -> dict:
    raw = await _bounded_body(request, MAX_JSON_BODY_BYTES)
    try:
        body = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def _check_csrf(given: str, expected: str | None) -> None:
    if not expected or not given or not secrets.compare_digest(given, expected):
        raise ApiError(403, "the form has expired or did not come from this site; reload the page")


def _agency(value) -> str:
    agency = " ".join(str(value or "").split())
    if not agency:
        raise ApiError(400, "give the agency's name (multipart field 'agency')")
    if len(agency) > MAX_AGENCY_CHARS:
        raise ApiError(400, f"the agency name is longer than {MAX_AGENCY_CHARS} characters")
    return agency


def _choice(value) -> Choice:
    try:
        return Choice(value or "")
    except ValueError:
        raise ApiError(400, "decision is one of: accept, reject, follow-up") from None


def _note(value) -> str:
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "note must be text")
    note = (value or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ApiError(400, f"the note is longer than {MAX_NOTE_CHARS} characters")
    return note


def _checklist_of(page_data: dict, element: str, checklist) -> str:
    """The checklist holding `element` in this report (the body may name one if several do)."""
    holders = [e["checklist"] for e in page_data["elements"] if e["element"] == element]
    if checklist:
        if checklist not in holders:
            raise ApiError(404, f"checklist {checklist!r} has no element {element!r} here")
        return str(checklist)
    if not holders:
        raise ApiError(404, f"this report has no element {element!r}")
    return holders[0]


def _queue_filter(request: Request) -> QueueFilter:
    params = request.query_params
    return QueueFilter(
        status=params.get("status", ""),
        agency=params.get("agency", ""),
        agency_type=params.get("type", ""),
        reviewer=params.get("reviewer", ""),
    )


def _set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int):
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def _page_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


def _plain_error_page(status: int, message: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>{status}</title>'
        f"<h1>{status}</h1><p>{html.escape(message)}</p>"
        '<p><a href="/">Back to the queue</a></p></html>'
    )


# ---------------------------------------------------------------- views


def _row_view(s: Submission) -> dict:
    data = s.to_dict()
    data["uploaded"] = iso(s.uploaded_at)[:16].replace("T", " ")
    data["determination_label"] = OUTCOME_LABELS[s.determination.outcome] if s.determination else ""
    data["agency_href"] = "/agency?" + urlencode({"name": s.agency})
    return data


def _versions_view(s: Submission, compared: tuple[Submission, Comparison] | None) -> dict | None:
    """The agency page's link to what changed since the previous version, and its sentence."""
    if compared is None:
        return None
    previous, comparison = compared
    return {
        "href": f"/submissions/{s.id}/compare/{previous.id}",
        "previous": previous.file_name,
        "sentence": comparison.sentence,
        "critical_lost": bool(comparison.critical_lost),
    }


def _current_decisions(page_data: dict, entries: Sequence[DecisionEntry]) -> dict:
    """The newest entry per element, keyed by the report's card id, for report.js to show."""
    card = {(e["checklist"], e["element"]): e["id"] for e in page_data["elements"]}
    current: dict[str, dict] = {}
    for entry in entries:  # newest first: the first seen wins
        card_id = card.get((entry.checklist, entry.element))
        if card_id and card_id not in current:
            current[card_id] = {"decision": entry.decision.value, "note": entry.note}
    return current


def _entry_view(entry: DecisionEntry) -> dict:
    return {
        **entry.to_dict(),
        "label": DECISION_LABELS.get(entry.decision.value, "No decision"),
        "when": iso(entry.at)[:19].replace("T", " "),
    }
