"""专利开放许可 pages: declare or withdraw an offer's open licence, take a licence in one step, the licences."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import MatchmakerError, ValidationFailed
from matchmaker.domain.licences import FEE_MODELS
from matchmaker.services import licences
from matchmaker.web.ids import parse_id
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render


def declare(request: Request) -> Response:
    """GET: the declaration form (current terms filled in). POST: declare or change the terms."""
    actor = require_actor(request, ("researcher", "admin"))
    services = request.app.state.services
    offer_id = request.path_params["offer_id"]
    with services.session() as session:
        offer = licences.offer_for(session, offer_id)
        form = licences.as_input(licences.open_licence(session, offer_id))
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = read_form(request)
        form = {name: form_str(data, name) for name in licences.TERM_FIELDS}
        try:
            with services.transaction() as session:
                row = licences.declare(session, actor, offer_id, form)
                terms = licences.terms_of(row).describe()
            flash(request, f"已声明开放许可：{terms}")
            return RedirectResponse(f"/offers/{offer_id}", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    return render(
        request,
        "licences/declare.html",
        {"o": offer, "form": form, "errors": errors, "fee_models": [(m, m) for m in FEE_MODELS]},
        status_code=422 if errors else 200,
    )


def withdraw(request: Request) -> Response:
    actor = require_actor(request, ("researcher", "admin"))
    services = request.app.state.services
    offer_id = request.path_params["offer_id"]
    read_form(request)
    try:
        with services.transaction() as session:
            licences.withdraw(session, actor, offer_id)
        flash(request, "已撤回开放许可声明；已取得的许可不受影响")
    except ValidationFailed as exc:
        flash(request, exc.message, "error")
    return RedirectResponse(f"/offers/{offer_id}", status_code=303)


def take(request: Request) -> Response:
    """One step: the licence on the declared terms, notices to both sides and to the bureau."""
    actor = require_actor(request, ("sme",))
    services = request.app.state.services
    offer_id = request.path_params["offer_id"]
    data = read_form(request)
    need = form_str(data, "need_id")
    try:
        with services.transaction() as session:
            licence = licences.take(session, actor, offer_id, parse_id(need))
        flash(request, "已按开放许可取得许可；成果方和知识产权局已收到通知，请与成果方签订技术许可合同")
        return RedirectResponse(f"/licences/{licence.id}", status_code=303)
    except MatchmakerError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(f"/offers/{offer_id}", status_code=303)


def licence_list(request: Request) -> Response:
    actor = require_actor(request, ("sme", "researcher", "bureau", "admin"))
    with request.app.state.services.session() as session:
        rows = licences.licences_for(session, actor)
    return render(request, "licences/list.html", {"rows": rows})


def licence_detail(request: Request) -> Response:
    actor = require_actor(request, ("sme", "researcher", "bureau", "admin"))
    with request.app.state.services.session() as session:
        view = licences.get_licence(session, actor, request.path_params["licence_id"])
    return render(request, "licences/detail.html", {"v": view, "l": view.licence})


routes = [
    Route("/offers/{offer_id:int}/licence", declare, methods=["GET", "POST"], include_in_schema=False),
    Route("/offers/{offer_id:int}/licence/withdraw", withdraw, methods=["POST"], include_in_schema=False),
    Route("/offers/{offer_id:int}/licence/take", take, methods=["POST"], include_in_schema=False),
    Route("/licences", licence_list, include_in_schema=False),
    Route("/licences/{licence_id:int}", licence_detail, include_in_schema=False),
]
