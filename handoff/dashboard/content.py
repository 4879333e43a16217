"""Admin-only views that keep the city's content true: the `docs check` warnings, importing a saved page or a
PDF into a draft (fidelity report, draft beside its source, edit, publish or discard), adding an amounts
period with its source, and setting a place's window. Every action is audited; refused input is shown again
with what was entered, and every reason is said in Japanese (handoff.messages), never in the check's
English."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from handoff import messages
from handoff.content import AmountProgram, ContentDesk, ContentInputError
from handoff.dashboard import TEXT, get_services, has_bad_characters
from handoff.dashboard.auth import admin_required

JAPAN = ZoneInfo("Asia/Tokyo")
KINDS = ("program", "law", "plan")
IMPORT_FIELDS = ("title", "jurisdiction", "date", "publisher", "kind")
CONTACT_FIELDS = ("place", "window", "phone", "hours", "address", "source")
BAND_KEYS = ("first", "second", "third")
BAND_PARTS = ("full", "low", "high")
MAX_DRAFT_LENGTH = 400_000
# A city's PDF is often larger than the app's limit for other requests (a webhook is a few kilobytes).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
_INTEGER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")

bp = Blueprint("content", __name__, url_prefix="/admin/content")


def allow_uploads() -> None:
    """Registered on the dashboard before the login and CSRF check, which reads the form: an upload may be
    larger than the app's limit for every other request."""
    if request.endpoint == "counselor.content.import_file":
        request.max_content_length = MAX_UPLOAD_BYTES


def _desk() -> ContentDesk:
    desk = get_services().content
    if desk is None:
        abort(404)
    return desk


def _audit(action: str, detail: str) -> None:
    get_services().audit.record(g.account.name, action, detail=detail)


def _today() -> dt.date:
    """Today in Japan, or `?today=YYYY-MM-DD` to see the check as of another day."""
    return _parse_date(request.args.get("today", "")) or dt.datetime.now(JAPAN).date()


def _parse_date(text: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", text or "").strip()
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _error(code: str) -> str:
    return messages.CONTENT_ERRORS.get(code, messages.CONTENT_ERRORS["invalid"])


def _index(
    form: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
    contact_form: dict[str, str] | None = None,
    contact_error: str = "",
) -> Any:
    desk, today = _desk(), _today()
    return (
        render_template(
            "counselor/content.html",
            report=desk.check(today),
            today=today,
            library=desk.library(),
            drafts=desk.drafts(),
            programs=desk.amount_programs(),
            kinds=KINDS,
            form=form or {},
            error=error,
            contacts=desk.contacts(),
            contact_form=contact_form or {},
            contact_error=contact_error,
        ),
        status,
    )


@bp.route("/")
@admin_required
def index() -> Any:
    _audit("content_view", f"today={_today().isoformat()}")
    return _index()


@bp.route("/import", methods=["POST"])
@admin_required
def import_file() -> Any:
    """A saved page or PDF → a draft; refused input comes back with every field as it was entered."""
    desk = _desk()
    form = {key: request.form.get(key, "").strip() for key in IMPORT_FIELDS}
    upload = request.files.get("file")
    filename = upload.filename if upload is not None and upload.filename else ""
    if not filename:
        return _index(form, _error("no_file"), 422)
    if not form["title"] or not form["jurisdiction"]:
        return _index(form, _error("missing_fields"), 422)
    if any(has_bad_characters(value) for value in form.values()):
        return _index(form, _error("invalid"), 422)
    source_date = _parse_date(form["date"])
    if source_date is None:
        return _index(form, _error("bad_date"), 422)
    kind = form["kind"] or None
    if kind is not None and kind not in KINDS:
        return _index(form, _error("invalid"), 422)
    try:
        name = desk.import_file(
            filename,
            upload.read(),
            title=form["title"],
            jurisdiction=form["jurisdiction"],
            source_date=source_date,
            publisher=form["publisher"],
            kind=kind,
            by=g.account.name,
        )
    except ContentInputError as refused:
        return _index(form, _error(refused.code), 422)
    _audit("content_import", f"draft={name}")
    return redirect(url_for("counselor.content.draft", name=name))


@bp.route("/drafts/<name>", methods=["GET", "POST"])
@admin_required
def draft(name: str) -> Any:
    """The fidelity report, and the draft beside the source text: save, publish or discard."""
    desk = _desk()
    edited = None
    error = ""
    if request.method == "POST":
        action = request.form.get("action", "")
        edited = request.form.get("markdown", "").replace("\r\n", "\n")
        if action not in ("save", "publish", "discard"):
            abort(400)
        if action == "discard":
            if desk.discard(name):
                _audit("content_discard", f"draft={name}")
                flash(TEXT["content_discarded"].format(name=name), "info")
            return redirect(url_for("counselor.content.index"))
        if not edited.strip() or len(edited) > MAX_DRAFT_LENGTH or has_bad_characters(edited):
            error = _error("bad_draft")
        else:
            try:
                desk.save_draft(name, edited, by=g.account.name)
                _audit("content_draft_save", f"draft={name}")
                if action == "publish":
                    desk.publish(name, by=g.account.name)
                    _audit("content_publish", f"document={name}")
                    flash(TEXT["content_published"].format(name=name), "info")
                    return redirect(url_for("counselor.content.index"))
                flash(TEXT["content_saved"], "info")
                return redirect(url_for("counselor.content.draft", name=name))
            except ContentInputError as refused:  # the draft's problems are listed on the page in Japanese
                error = _error(refused.code)
    view = desk.draft(name)
    if view is None:
        abort(404)
    _audit("content_draft_view", f"draft={name}")
    markdown = edited if edited is not None else view.markdown
    return render_template("counselor/content_draft.html", draft=view, markdown=markdown, error=error), (
        422 if error else 200
    )


@bp.route("/contacts", methods=["POST"])
@admin_required
def contact() -> Any:
    """Set a place's window; refused input comes back with every field as entered and every reason."""
    form = {key: request.form.get(key, "").strip() for key in CONTACT_FIELDS}
    if any(has_bad_characters(value) for value in form.values()):
        return _index(contact_form=form, contact_error=_error("invalid"), status=422)
    try:
        place = _desk().set_contact(
            form["place"],
            window=form["window"],
            phone=form["phone"],
            source=form["source"],
            hours=form["hours"],
            address=form["address"],
            by=g.account.name,
        )
    except ContentInputError as refused:
        reasons = "".join(_error(code) for code in refused.codes)
        return _index(contact_form=form, contact_error=reasons, status=422)
    _audit("content_contact_set", f"place={place} phone={form['phone']}")
    flash(TEXT["contact_saved"].format(place=place), "info")
    return redirect(url_for("counselor.content.index") + "#contacts")


def _program(name: str) -> AmountProgram:
    program = next((found for found in _desk().amount_programs() if found.name == name), None)
    if program is None:
        abort(404)
    return program


def _integer(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text or "").strip().removesuffix("円")
    return int(text.replace(",", "")) if _INTEGER.fullmatch(text) else None


def _period_from_form(program: AmountProgram, form: dict[str, str]) -> tuple[dict | None, str]:
    """The period in the shape of amounts.yaml, or the reason the form is refused."""
    start = _parse_date(form.get("from", ""))
    if start is None:
        return None, _error("bad_date")
    if start in program.periods:
        return None, _error("period_exists")
    source = form.get("source", "").strip()
    if not source or has_bad_characters(source):
        return None, _error("no_source")
    period: dict[str, Any] = {"from": start.isoformat(), "source": source}
    if program.bands:
        for key in BAND_KEYS:
            values = [_integer(form.get(f"{key}-{part}", "")) for part in BAND_PARTS]
            if any(value is None for value in values):
                return None, _error("bad_amount")
            full, low, high = values
            period[key] = {"full": full, "partial": [low, high]}
    rows = []
    for number, (who, _) in enumerate(program.rows):
        value = _integer(form.get(f"row-{number}", ""))
        if value is None:
            return None, _error("bad_amount")
        rows.append({"who": who, "amount": value})
    if rows:
        period["rows"] = rows
    notes = [line.strip() for line in form.get("notes", "").splitlines() if line.strip()]
    if any(has_bad_characters(note) for note in notes):
        return None, _error("invalid")
    if notes:
        period["notes"] = notes
    return period, ""


@bp.route("/amounts/<program_name>", methods=["GET", "POST"])
@admin_required
def amounts(program_name: str) -> Any:
    """Add an amounts period with its source, starting from the newest one's figures."""
    program = _program(program_name)
    form: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        form = {key: value for key, value in request.form.items()}
        period, error = _period_from_form(program, form)
        if period is not None:
            try:
                _desk().add_amount_period(program.name, period, by=g.account.name)
            except ContentInputError as refused:
                error = _error(refused.code)
            else:
                _audit("content_amounts_add", f"program={program.name} from={period['from']}")
                flash(TEXT["amounts_added"].format(program=program.name, start=period["from"]), "info")
                return redirect(url_for("counselor.content.index"))
    else:
        form = {
            f"{key}-{part}": str(value)
            for key, band in program.bands.items()
            for part, value in zip(BAND_PARTS, band, strict=True)
        }
        form.update({f"row-{number}": str(amount) for number, (_, amount) in enumerate(program.rows)})
        form["notes"] = "\n".join(program.notes)
    return render_template(
        "counselor/content_amounts.html",
        program=program,
        form=form,
        error=error,
        band_keys=BAND_KEYS,
        band_parts=BAND_PARTS,
    ), (422 if error else 200)
