"""The JSON API of a live `policy-review serve`, driven as a client script would drive it."""

from __future__ import annotations

import io
import os
import re

import httpx
import pytest
from workspace_helpers import (
    MARLOW_AGENCY,
    PASSWORD,
    REPO_ROOT,
    SAMPLES,
    WorkspaceServer,
    add_reviewer,
    upload,
    wait_analysed,
    write_marlow_versions,
)

from policy_review.cli import main
from policy_review.extract import ExtractLimits
from policy_review.workspace.app import Settings, create_app

SAMPLE = SAMPLES / "lakeview-pd-missing-children.pdf"
MAX_BYTES = 200_000
RANDOM_BYTES = 4096


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    db = str(folder / "policy-review.db")
    tokens = {name: add_reviewer(db, name) for name in ("alice", "bob")}
    running = WorkspaceServer(folder, "--max-bytes", str(MAX_BYTES), db=db).start()
    running.tokens = tokens
    yield running
    running.stop()


@pytest.fixture(scope="module")
def alice(server):
    with server.client(server.tokens["alice"]) as client:
        yield client


@pytest.fixture(scope="module")
def analysed(alice) -> dict:
    response = upload(alice, SAMPLE, "Lakeview Police Department")
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    return wait_analysed(alice, response.json()["id"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/submissions"),
        ("POST", "/api/submissions"),
        ("GET", "/api/submissions/1"),
        ("GET", "/api/submissions/1/decisions"),
        ("PUT", "/api/submissions/1/decisions/LE-NCIC-2HR"),
        ("POST", "/api/submissions/1/determination"),
        ("POST", "/api/submissions/1/decisions/import"),
        ("GET", "/api/submissions/1/compare/1"),
    ],
)
def test_every_api_call_without_credentials_gets_401(server, method, path):
    for headers in ({}, {"Authorization": "Bearer not-a-real-token"}):
        response = httpx.request(method, server.url + path, headers=headers, json={})
        assert response.status_code == 401, (method, path, headers)
        assert "error" in response.json()


def test_health_needs_no_credentials(server):
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_an_upload_is_analysed_into_a_report(alice, analysed):
    assert analysed["status"] == "ready"
    assert analysed["error"] == ""
    report = analysed["report"]
    assert report["schema"] == "policy-review/report@1"
    assert report["document"]["path"] == SAMPLE.name
    assert len(report["findings"]) > 20
    listed = alice.get("/api/submissions").json()
    assert analysed["id"] in [row["id"] for row in listed]
    assert [row["rank"] for row in listed] == list(range(1, len(listed) + 1))


def test_decisions_are_saved_with_reviewer_and_time_and_listed_newest_first(
    server, alice, analysed
):
    element = analysed["report"]["findings"][0]["element"]
    path = f"/api/submissions/{analysed['id']}/decisions/{element}"
    first = alice.put(path, json={"decision": "accept", "note": "quoted on p. 2"})
    assert first.status_code == 200
    assert first.json()["reviewer"] == "alice"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first.json()["at"])
    with server.client(server.tokens["bob"]) as bob:
        second = bob.put(path, json={"decision": "follow-up", "note": "ask about nights"})
    assert second.status_code == 200
    history = alice.get(f"/api/submissions/{analysed['id']}/decisions").json()[element]
    assert [(e["reviewer"], e["decision"]) for e in history[:2]] == [
        ("bob", "follow-up"),
        ("alice", "accept"),
    ]
    assert alice.get(f"/api/submissions/{analysed['id']}").json()["status"] == "in review"


def test_bad_decisions_are_refused_with_a_reason(alice, analysed):
    base = f"/api/submissions/{analysed['id']}/decisions"
    assert alice.put(f"{base}/NOT-AN-ELEMENT", json={"decision": "accept"}).status_code == 404
    element = analysed["report"]["findings"][0]["element"]
    refused = alice.put(f"{base}/{element}", json={"decision": "maybe"})
    assert refused.status_code == 400
    assert "accept" in refused.json()["error"]
    assert alice.put(f"{base}/{element}", content=b"{not json").status_code == 400
    assert alice.get("/api/submissions/999999").status_code == 404


def test_a_determination_closes_the_review(alice, analysed):
    path = f"/api/submissions/{analysed['id']}/determination"
    assert alice.post(path, json={"determination": "perfect"}).status_code == 400
    saved = alice.post(path, json={"determination": "needs-revision", "note": "add NCIC"})
    assert saved.status_code == 200
    assert saved.json()["reviewer"] == "alice"
    after = alice.get(f"/api/submissions/{analysed['id']}").json()
    assert after["status"] == "decided"
    assert after["determination"]["outcome"] == "needs-revision"


def test_decisions_exported_from_the_static_report_can_be_imported(alice, analysed):
    finding = analysed["report"]["findings"][1]
    exported = {
        "schema": "policy-review/decisions@1",
        "document": {"sha256": analysed["sha256"], "file_name": SAMPLE.name},
        "decisions": [
            {
                "checklist": finding["checklist"],
                "element": finding["element"],
                "decision": "reject",
                "note": "from the file",
            },
            {
                "checklist": finding["checklist"],
                "element": "NO-SUCH",
                "decision": "accept",
                "note": "",
            },
        ],
    }
    path = f"/api/submissions/{analysed['id']}/decisions/import"
    assert alice.post(path, json=exported).json() == {"imported": 1, "skipped": 1}
    entry = alice.get(f"/api/submissions/{analysed['id']}/decisions").json()[finding["element"]][0]
    assert (entry["decision"], entry["note"], entry["source"]) == (
        "reject",
        "from the file",
        "import",
    )
    other = {**exported, "document": {"sha256": "0" * 64, "file_name": "x"}}
    assert "another document" in alice.post(path, json=other).json()["error"]


def test_random_bytes_become_a_failed_submission_with_a_reason(server, alice):
    response = alice.post(
        "/api/submissions",
        data={"agency": "Nowhere PD"},
        files={"file": ("scan.pdf", io.BytesIO(os.urandom(RANDOM_BYTES)))},
    )
    assert response.status_code == 201
    failed = wait_analysed(alice, response.json()["id"])
    assert failed["status"] == "failed"
    assert failed["report"] is None
    assert failed["error"].startswith("scan.pdf: ")
    assert "\n" not in failed["error"]
    assert httpx.get(server.url + "/healthz").status_code == 200  # and the server goes on


def test_an_upload_over_max_bytes_gets_413(alice):
    for size in (MAX_BYTES + 1, MAX_BYTES * 8):
        response = alice.post(
            "/api/submissions",
            data={"agency": "Big PD"},
            files={"file": ("big.pdf", io.BytesIO(b"%PDF-" + b"0" * size))},
        )
        assert response.status_code == 413, size
    assert all(row["agency"] != "Big PD" for row in alice.get("/api/submissions").json())


def test_uploads_need_an_agency_and_a_file(alice):
    no_agency = alice.post("/api/submissions", files={"file": ("a.txt", io.BytesIO(b"text"))})
    assert no_agency.status_code == 400
    no_file = alice.post("/api/submissions", data={"agency": "X"})
    assert no_file.status_code == 400


def test_a_session_cookie_needs_the_csrf_token_to_change_anything(server, analysed):
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        form = browser.get("/login").text
        login_csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        signed_in = browser.post(
            "/login",
            data={"csrf": login_csrf, "name": "alice", "password": PASSWORD},
        )
        assert signed_in.status_code == 303
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert browser.get("/api/submissions").status_code == 200
        element = analysed["report"]["findings"][0]["element"]
        path = f"/api/submissions/{analysed['id']}/decisions/{element}"
        assert browser.put(path, json={"decision": "accept"}).status_code == 403
        page = browser.get(f"/submissions/{analysed['id']}").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        saved = browser.put(path, json={"decision": "accept"}, headers={"X-CSRF-Token": csrf})
        assert saved.status_code == 200


def test_pages_carry_a_strict_content_security_policy(server, analysed):
    response = httpx.get(server.url + "/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "'unsafe-inline'" not in policy and "http" not in policy
    assert httpx.get(server.url + "/", follow_redirects=False).status_code == 303


def test_wrong_password_does_not_sign_in(server):
    with httpx.Client(base_url=server.url) as browser:
        login_csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text).group(1)
        response = browser.post(
            "/login", data={"csrf": login_csrf, "name": "alice", "password": "guess guess"}
        )
        assert response.headers["location"] == "/login?failed=1"
        assert browser.get("/api/submissions").status_code == 401


def test_user_token_prints_the_new_token_as_its_last_line(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "users.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["user", "add", "carol", "--password-stdin", "--db", db]) == 0
    assert main(["user", "token", "carol", "--db", db]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token)
    assert main(["user", "token", "nobody", "--db", db]) == 2
    assert "no user named 'nobody'" in capsys.readouterr().err


def test_serving_beyond_loopback_is_refused_while_no_account_exists(tmp_path, capsys):
    db = str(tmp_path / "empty.db")
    assert main(["serve", "--db", db, "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")]) == 2
    error = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0 while no account exists" in error
    assert error.count("\n") == 1


def test_the_upload_form_works_without_javascript(server):
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        login_csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text).group(1)
        browser.post("/login", data={"csrf": login_csrf, "name": "bob", "password": PASSWORD})
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/upload").text).group(1)
        files = [
            ("file", (f"f{n}.txt", io.BytesIO(b"Missing child policy %d" % n))) for n in (1, 2)
        ]
        refused = browser.post("/upload", data={"agency": "Form PD"}, files=files)
        assert refused.status_code == 403
        sent = browser.post("/upload", data={"agency": "Form PD", "csrf": csrf}, files=files)
        assert (sent.status_code, sent.headers["location"]) == (303, "/")
        listed = browser.get("/api/submissions", params={"agency": "Form PD"}).json()
        assert sorted(row["file_name"] for row in listed) == ["f1.txt", "f2.txt"]


def test_readme_starts_the_workspace_with_two_commands_and_documents_every_api_call():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Review workspace", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert len(commands) == 2
    assert "user add" in commands[0] and commands[1].strip() == "policy-review serve"
    app = create_app(Settings(store=None, blobs=None, limits=ExtractLimits(), wake=lambda: None))
    api_paths = {
        route.path.replace(":int", "") for route in app.app.routes if "/api/" in route.path
    }
    assert api_paths
    for path in api_paths:
        assert path in section, path


@pytest.fixture(scope="module")
def versions(alice, tmp_path_factory) -> dict[str, int]:
    """One agency's 2019 directive, an unreadable upload, then its 2023 revision, analysed."""
    old, new = write_marlow_versions(tmp_path_factory.mktemp("versions"))
    junk = old.with_name("scan-2021.pdf")
    junk.write_bytes(os.urandom(RANDOM_BYTES))
    ids = {}
    for name, path in (("old", old), ("failed", junk), ("new", new)):
        response = upload(alice, path, MARLOW_AGENCY)
        assert response.status_code == 201
        ids[name] = response.json()["id"]
    for submission_id in ids.values():
        wait_analysed(alice, submission_id)
    return ids


def test_a_submission_is_compared_with_an_earlier_one(alice, versions):
    response = alice.get(f"/api/submissions/{versions['new']}/compare/{versions['old']}")
    assert response.status_code == 200
    data = response.json()
    assert data["schema"] == "policy-review/compare@1"
    assert (data["old"]["file"], data["new"]["file"]) == (
        "marlow-policy-332-2019.md",
        "marlow-policy-332-2023.md",
    )
    changed = {e["element"]: e["change"] for e in data["elements"] if e["change"] != "unchanged"}
    assert changed == {"LE-TRAINING": "lost", "LE-NCIC-2HR": "weakened"}
    assert data["summary"]["critical_lost"] == ["LE-TRAINING"]
    assert data["summary"]["sentence"] == (
        "1 critical element lost since the 2019 version (LE-TRAINING); 1 weakened."
    )
    assert data["sections"] == {"compared": False, "added": [], "removed": []}
    itself = alice.get(f"/api/submissions/{versions['new']}/compare/{versions['new']}").json()
    assert {e["change"] for e in itself["elements"]} == {"unchanged"}
    assert not any(e["reworded"] for e in itself["elements"])


def test_comparing_needs_two_known_analysed_submissions(alice, versions):
    new, failed = versions["new"], versions["failed"]
    for path in (f"{new}/compare/999999", f"999999/compare/{new}"):
        response = alice.get(f"/api/submissions/{path}")
        assert response.status_code == 404 and "no submission 999999" in response.json()["error"]
    for path in (f"{new}/compare/{failed}", f"{failed}/compare/{new}"):
        response = alice.get(f"/api/submissions/{path}")
        assert response.status_code == 409
        assert f"submission {failed} is failed" in response.json()["error"]


def test_the_agency_page_links_each_version_to_the_previous_analysed_one(server, versions):
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        login_csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text).group(1)
        browser.post("/login", data={"csrf": login_csrf, "name": "bob", "password": PASSWORD})
        agency = browser.get("/agency", params={"name": MARLOW_AGENCY})
        links = re.findall(r'href="(/submissions/\d+/compare/\d+)"', agency.text)
        assert links == [f"/submissions/{versions['new']}/compare/{versions['old']}"]
        assert "1 critical element lost since the 2019 version (LE-TRAINING); 1 weakened." in (
            agency.text
        )
        page = browser.get(links[0])
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy
        assert "Sections not compared" in page.text
        assert 'data-change="lost"' in page.text and 'data-change="weakened"' in page.text
        unready = browser.get(f"/submissions/{versions['new']}/compare/{versions['failed']}")
        assert unready.status_code == 409
