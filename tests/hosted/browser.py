"""A small form-walking browser over real HTTP for the managed login (no JavaScript is
needed by the pages): it keeps cookies, follows redirects on the server and stops at the
first redirect that leaves it (a client's redirect URI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter


class OneShot(HTTPAdapter):
    """One connection per request, closed once the body is read: the live server shares
    its database connection with the test, so no connection may outlive a request."""

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        request.headers["Connection"] = "close"
        response = super().send(request, *args, **kwargs)
        _ = response.content
        self.close()
        return response


def one_shot(session: requests.Session) -> requests.Session:
    session.mount("http://", OneShot())
    session.mount("https://", OneShot())
    return session


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and a.get("name"):
            self.forms[-1].buttons.setdefault(a["name"], []).append(a.get("value", ""))


@dataclass
class Page:
    response: requests.Response
    #: Where the server sent the browser off the server (a client's redirect URI), if it did.
    left_to: str | None = None

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def form(self) -> Form:
        parser = _Forms()
        parser.feed(self.response.text)
        assert parser.forms, f"no form on the page: {self.response.text[:500]}"
        return parser.forms[0]


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = one_shot(requests.Session())

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, url, allow_redirects=False, timeout=30, **kwargs)

    def _follow(self, response: requests.Response) -> Page:
        for _ in range(10):
            if response.status_code not in (301, 302, 303, 307):
                return Page(response)
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.base):
                return Page(response, left_to=location)
            response = self._request("GET", location)
        raise AssertionError("too many redirects")

    def get(self, url: str, **kwargs: Any) -> Page:
        return self._follow(self._request("GET", urljoin(self.base, url), **kwargs))

    def submit(self, page: Page, **values: str) -> Page:
        form = page.form
        data = {**form.fields, **values}
        url = urljoin(page.response.url, form.action)
        headers = {"Referer": page.response.url}
        return self._follow(self._request("POST", url, data=data, headers=headers))
