"""Errors are Chinese pages or JSON field lists, never tracebacks; the API takes session or token auth."""

from __future__ import annotations


def test_unknown_page_is_a_chinese_404(client, login_as) -> None:
    login_as("sme")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_api_errors_are_json_field_lists(client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": "", "message": "请先登录"}]}


def test_api_404_is_json(client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"]


def test_garbage_form_body_is_a_4xx_not_a_500(client, login_as) -> None:
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        content=b"\xff\xfe--garbage",
        headers={"content-type": "multipart/form-data; boundary=zzz"},
    )
    assert 400 <= response.status_code < 500


def test_openapi_document_lists_the_api(client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"]


def test_api_token_authenticates_scripts(client, login_as, csrf) -> None:
    user = login_as("bureau")
    page = client.post("/account", data={"csrf_token": csrf()})
    token = page.text.split('data-testid="api-token">', 1)[1].split("<", 1)[0]
    client.cookies.clear()
    me = client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert client.get("/api/v1/me", headers={"authorization": "Bearer mm_wrong"}).status_code == 401


def test_institution_api_resolves_a_spelling(client, login_as) -> None:
    login_as("sme")
    body = client.get("/api/v1/institutions", params={"name": "重大溧阳研究院"}).json()
    assert body["resolution"]["canonical"] == "重庆大学溧阳研究院"
    assert len(body["items"]) == 3


def test_notifications_are_marked_read_when_the_list_is_seen(client, login_as, make, services) -> None:
    from matchmaker.services.notifications import notify, unread_count

    other = make.user("sme")
    user = login_as("researcher")
    with services.transaction() as s:
        notify(s, user.id, "企业向您申请会谈", "/requests")
        notify(s, other.id, "别人的通知", "/my/requests")
    assert '<span class="badge" data-testid="unread">1</span>' in client.get("/").text
    page = client.get("/notifications").text
    assert 'data-testid="unread"' not in page
    assert 'data-testid="notification-new">新</span>' in page
    assert "企业向您申请会谈" in page
    again = client.get("/notifications").text
    assert 'data-testid="notification-new"' not in again
    with services.session() as s:
        assert unread_count(s, user.id) == 0
        assert unread_count(s, other.id) == 1
