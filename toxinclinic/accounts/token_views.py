"""The person's own API tokens: issue (shown once), list, revoke. Nobody else can issue one for them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from toxinclinic.accounts import tokens
from toxinclinic.accounts.forms import ApiTokenForm
from toxinclinic.accounts.models import ApiToken


def _page(request: HttpRequest, form: ApiTokenForm, *, status: int = 200, issued: str = "") -> HttpResponse:
    rows = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    resp = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "rows": rows,
            "may_issue": tokens.session_may_issue(request),
            "issued": issued,
        },
        status=status,
    )
    if issued:
        resp["Cache-Control"] = "no-store"  # the token in clear is on this page only
    return resp


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not tokens.session_may_issue(request):
        return _page(request, form, status=403)
    if not form.is_valid():
        return _page(request, form, status=400)
    _token, raw = tokens.issue_own(request, form.cleaned_data["name"], form.cleaned_data["days"])
    return _page(request, ApiTokenForm(), issued=raw)


@login_required
@require_POST
def revoke_api_token(request: HttpRequest) -> HttpResponse:
    token_id = request.POST.get("token", "")
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first() if token_id.isdigit() else None
    if token is None:
        raise Http404("No such token of yours.")
    if tokens.revoke(token, request.user, reason="revoked by its owner"):
        messages.success(request, f"Revoked “{token.name}”. Requests with it are now refused.")
    return redirect("accounts:api_tokens")
