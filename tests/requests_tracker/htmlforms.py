"""Reads forms out of rendered HTML so tests can submit them the way a browser would."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    attrs: dict[str, str]
    #: What a browser would send for the form as rendered (checked boxes, selected options, text).
    data: dict[str, str] = field(default_factory=dict)
    #: Every submit button: (name, value).
    buttons: list[tuple[str, str]] = field(default_factory=list)
    #: The values of each <select>'s options, by field name.
    options: dict[str, list[str]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            self._form = Form(action=attrs.get("action", ""), attrs=attrs)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "submit":
                form.buttons.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form.data[name] = attrs.get("value", "on")
            elif kind not in ("button", "reset", "file", "image"):
                form.data[name] = attrs.get("value", "")
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            form.buttons.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
            form.options[name] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            form.options[self._select].append(value)
            if self._select_first is None:
                self._select_first = value
                form.data.setdefault(self._select, value)
            if "selected" in attrs:
                form.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            # A textarea's content starts after one optional newline.
            current = self._form.data[self._textarea]
            self._form.data[self._textarea] = current + (data[1:] if not current and data.startswith("\n") else data)


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_by_id(html: str, form_id: str) -> Form:
    matches = [f for f in forms_in(html) if f.attrs.get("id") == form_id]
    assert len(matches) == 1, f"expected one form #{form_id}, found {len(matches)}"
    return matches[0]
