"""The error catalogue (`billfold.errors.Code`): every code billfold returns is a row,
its status is the contract's for its type, the source names no code the table lacks,
every refusal survives a round trip through its body, and no two raise sites write
the same message."""

from __future__ import annotations

import ast
import pickle
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from billfold.errors import (
    AuthenticationFailed,
    BillfoldError,
    Code,
    Conflict,
    InsufficientFunds,
    InternalError,
    InvalidRequest,
    NotFound,
    refusal,
    require,
)

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "billfold"
CONTRACT_STATUS = {  # ../shared/API.md: the error types and their HTTP statuses
    "invalid_request": 400, "authentication": 401, "permission": 403, "not_found": 404,
    "conflict": 409, "insufficient_funds": 402, "rate_limited": 429, "internal": 500,
}
ERROR_CLASS_NAMES = frozenset(klass.__name__ for klass in {row.error_class for row in Code})
SQL_REPLY_CODE = re.compile(r"(?:'error'\s*,|o_error\s*:=)\s*'([a-z_]+)'")


def _error_classes() -> Iterator[type[BillfoldError]]:
    stack: list[type[BillfoldError]] = [BillfoldError]
    while stack:
        klass = stack.pop()
        yield klass
        stack.extend(klass.__subclasses__())


def _python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("row", list(Code), ids=lambda row: row.name)
def test_every_code_has_the_status_of_its_type(row: Code) -> None:
    assert row.status == CONTRACT_STATUS[row.error_class.type]
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", row.code)


def test_every_error_class_has_the_status_of_its_type() -> None:
    for klass in _error_classes():
        assert klass.status == CONTRACT_STATUS[klass.type], klass


def test_every_type_of_the_contract_has_a_code() -> None:
    assert {row.error_class.type for row in Code} == set(CONTRACT_STATUS)


def test_a_row_is_named_for_its_code() -> None:
    """The name is the code in capitals; a code sent with a second type (today only
    program_not_found as a 400) carries that status after it."""
    for row in Code:
        assert row.name.lower() in (row.code, f"{row.code}_{row.status}"), row


def test_a_class_raised_without_a_code_carries_a_code_of_its_own() -> None:
    for klass in _error_classes():
        if klass.default_code is None:
            with pytest.raises(TypeError):
                klass("no code")
        else:
            assert klass("m").code == klass.default_code


def test_a_code_the_catalogue_lacks_fails_where_it_is_raised() -> None:
    with pytest.raises(TypeError, match="not a row"):
        NotFound("No hold.", code="hold_not_foud")
    with pytest.raises(TypeError, match="not a row"):
        InvalidRequest("No hold.", code="hold_not_found")  # a listed code, another class
    with pytest.raises(TypeError, match="is a Conflict"):
        NotFound("The hold is already captured.", code=Code.HOLD_NOT_OPEN)
    with pytest.raises(TypeError):
        BillfoldError("The base class has no code.")


def test_one_code_sent_with_two_types_keeps_each_type() -> None:
    """program_not_found: a 404 for the program a wallet operation addresses, a 400 for a
    program named in settings, a checkout or an offer, with one message."""
    missing = refusal(Code.PROGRAM_NOT_FOUND, param="program", name="gold")
    named = refusal(Code.PROGRAM_NOT_FOUND_400, param="programs", name="gold")
    assert (type(missing), missing.status, type(named), named.status) == (
        NotFound, 404, InvalidRequest, 400)
    assert missing.code == named.code == "program_not_found"
    assert missing.message == named.message == "No program named 'gold' in this store."


def test_a_template_is_filled_from_the_raise_sites_fields() -> None:
    error = refusal(Code.INSUFFICIENT_FUNDS, param="amount", available=300, unit="SAR",
                    needed=1200)
    assert type(error) is InsufficientFunds
    assert error.to_dict() == {
        "type": "insufficient_funds", "code": "insufficient_funds", "param": "amount",
        "message": "The wallet has 300 SAR available, 1200 SAR needed."}


def test_a_row_without_a_template_needs_a_message() -> None:
    with pytest.raises(AssertionError):
        refusal(Code.LOT_HELD)
    with pytest.raises(AssertionError):
        refusal(Code.HOLD_NOT_OPEN, "The hold is gone.", status="captured")
    assert refusal(Code.LOT_HELD, "5 SAR of this lot is held.").message == (
        "5 SAR of this lot is held.")


def test_require_raises_the_rows_class() -> None:
    require(True, "never said")
    with pytest.raises(InvalidRequest) as refused:
        require(False, "limit is too big.", param="limit")
    assert (refused.value.code, refused.value.param) == ("invalid_request", "limit")
    with pytest.raises(InvalidRequest) as refused:
        require(False, "The currency cannot change.", code=Code.CURRENCY_IMMUTABLE)
    assert refused.value.code == "currency_immutable"


@pytest.mark.parametrize("row", list(Code), ids=lambda row: row.name)
def test_every_code_survives_a_round_trip_through_its_body(row: Code) -> None:
    error = row.error_class("Said once.", code=row, param="amount")
    body = error.to_dict()
    again = BillfoldError.from_dict(body)
    assert type(again) is row.error_class
    assert again.to_dict() == body
    assert again == error
    assert type(pickle.loads(pickle.dumps(error))) is row.error_class
    assert pickle.loads(pickle.dumps(error)) == error


def test_a_body_with_an_unlisted_code_replays_as_it_was() -> None:
    """A stored refusal of another billfold version, or a proxy's body, is rebuilt as the
    general class of its type and says exactly what it said."""
    body = {"type": "internal", "code": "busy", "message": "busy", "param": None}
    again = BillfoldError.from_dict(body)
    assert type(again) is InternalError
    assert again.to_dict() == body
    conflict = BillfoldError.from_dict({"type": "conflict", "code": "gone", "message": "m"})
    assert type(conflict) is Conflict
    assert conflict.to_dict() == {"type": "conflict", "code": "gone", "message": "m",
                                  "param": None}


def test_a_stored_authentication_refusal_keeps_its_class() -> None:
    body = {"type": "authentication", "code": "invalid_api_key", "message": "Invalid API key.",
            "param": None}
    assert type(BillfoldError.from_dict(body)) is AuthenticationFailed


# Scanning the source: every code it writes is a row of the catalogue.


def _codes_in_python(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, code) for every code a module writes as a literal: `code="…"`, a code
    compared with `.code == "…"`, assigned to `code`, put in a `"code": "…"` body or
    passed to an `error_body(type, code, …)` helper."""
    for node in ast.walk(tree):
        for value in _code_values(node):
            yield from _literals(value)


def _code_values(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.keyword):
        return [node.value] if node.arg == "code" else []
    if isinstance(node, ast.Assign):
        is_code = any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets)
        return [node.value] if is_code else []
    if isinstance(node, ast.Compare):
        return list(node.comparators) if _is_code_attribute(node.left) else []
    if isinstance(node, ast.Dict):
        return [value for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "code"]
    if isinstance(node, ast.Call) and _called_name(node).endswith("error_body"):
        return node.args[1:2]
    return []


def _literals(node: ast.expr) -> Iterator[tuple[int, str]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def _is_code_attribute(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "code"


def _called_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else ""


def _rows_named(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "Code"):
            yield node.lineno, node.attr


def _sql_reply_codes() -> dict[str, list[str]]:
    """Codes the PL/pgSQL functions reply with (`jsonb_build_object('error', '…')`, or
    a helper's `o_error := '…'`),
    in the migrations' SQL texts and the function files under store/."""
    found: dict[str, list[str]] = defaultdict(list)
    sources = [*(PACKAGE / "store").rglob("*.sql"),
               *(PACKAGE / "store" / "migrations").rglob("*.py")]
    for path in sources:
        for code in SQL_REPLY_CODE.findall(path.read_text()):
            found[code].append(str(path.relative_to(PACKAGE)))
    return found


def test_every_code_the_python_source_writes_is_in_the_catalogue() -> None:
    listed, names = {row.code for row in Code}, set(Code.__members__)
    unlisted, unknown_rows, seen = [], [], set()
    for path in _python_files():
        tree = ast.parse(path.read_text())
        where = path.relative_to(PACKAGE)
        for line, code in _codes_in_python(tree):
            seen.add(code)
            if code not in listed:
                unlisted.append(f"{where}:{line} {code!r}")
        unknown_rows += [f"{where}:{line} Code.{name}" for line, name in _rows_named(tree)
                         if name not in names and name not in dir(Code)]
    assert not unlisted, unlisted
    assert not unknown_rows, unknown_rows
    assert {"invalid_json", "route_not_found", "method_not_allowed"} <= seen  # scan works


def test_every_code_the_database_functions_reply_with_is_in_the_catalogue() -> None:
    replies = _sql_reply_codes()
    assert {"insufficient_funds", "hold_not_found"} <= set(replies)  # the scan found them
    listed = {row.code for row in Code}
    assert {code: where for code, where in replies.items() if code not in listed} == {}


def test_every_code_the_database_functions_reply_with_is_read_in_python() -> None:
    """A reply code the Python side never compares with is a refusal nobody raises."""
    compared: set[str] = set()
    for path in (PACKAGE / "ledger").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr == "code"
                    and isinstance(node.value, ast.Attribute)
                    and isinstance(node.value.value, ast.Name)
                    and node.value.value.id == "Code"):
                compared.add(Code[node.value.attr].code)
    assert set(_sql_reply_codes()) <= compared


# No message written twice: a message said by several raise sites is a template.


def _messages(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, source text) of the message of every raise site in a module."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if name in ERROR_CLASS_NAMES and node.args:
            message = node.args[0]
        elif name in ("refusal", "require") and len(node.args) > 1:
            message = node.args[1]
        elif name.endswith("error_body") and len(node.args) > 2:
            message = node.args[2]
        else:
            continue
        if isinstance(message, ast.Constant | ast.JoinedStr):
            yield node.lineno, ast.unparse(message)


def test_no_message_is_written_at_two_raise_sites() -> None:
    sites: dict[str, list[str]] = defaultdict(list)
    for path in _python_files():
        for line, message in _messages(ast.parse(path.read_text())):
            sites[message].append(f"{path.relative_to(PACKAGE)}:{line}")
    assert len(sites) > 50  # the scan found the raise sites
    assert {message: where for message, where in sites.items() if len(where) > 1} == {}


def test_every_template_is_used_by_two_raise_sites() -> None:
    """A template is for a message several paths share; a message said once stays at
    its raise site, where a reader sees it."""
    uses: dict[str, set[str]] = defaultdict(set)
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and _called_name(node) == "refusal" and node.args
                    and isinstance(node.args[0], ast.Attribute)):
                uses[node.args[0].attr].add(f"{path.name}:{node.lineno}")
    for row in Code:
        if row.template is not None:
            shared = uses[row.name] | (uses[_twin(row)] if _twin(row) else set())
            assert len(shared) > 1, (row.name, shared)


def _twin(row: Code) -> str | None:
    """The other row with the same template (program_not_found's 404 and 400)."""
    return next((other.name for other in Code
                 if other is not row and other.template == row.template), None)
