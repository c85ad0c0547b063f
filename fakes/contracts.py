"""Load the providers' published contracts once and compile cheap request validators.

The vendored contracts directory (``contracts/`` in the repository, or
``$ALTAVOZ_CONTRACTS_DIR``) holds the Twilio and SendGrid OpenAPI files and the FCM
discovery document. At start-up each request-body schema is pulled out of its document,
turned into plain JSON Schema and compiled into a ``jsonschema`` validator; per request we
only call ``is_valid`` (and walk the errors when it fails). openapi-core per request was
measured far slower (see docs/fakes.md).
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTRACTS_DIR = REPO_ROOT / "contracts"
CONTRACTS_ENV = "ALTAVOZ_CONTRACTS_DIR"

TWILIO_FILE = "twilio_api_v2010_messages.json"
SENDGRID_FILE = "sendgrid_mail_send.json"
FCM_FILE = "fcm_v1_discovery.json"
TWILIO_CONTENT_FILE = "twilio_content_v1.json"
REQUIRED_FILES = (TWILIO_FILE, SENDGRID_FILE, FCM_FILE, TWILIO_CONTENT_FILE)
TWILIO_CONTENT_APPROVALS_PATH = "/v1/ContentAndApprovals"

TWILIO_CREATE_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
_DROP_KEYS = {"description", "x-twilio", "examples", "example", "title", "enumDescriptions"}


class ContractsMissing(RuntimeError):
    """The contracts directory (or a file in it) is not there."""


def contracts_dir_resolve(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The contracts directory: the explicit one, else $ALTAVOZ_CONTRACTS_DIR, else the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONTRACTS_ENV):
        return Path(os.environ[CONTRACTS_ENV])
    return DEFAULT_CONTRACTS_DIR


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _DROP_KEYS}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _openapi30_nullable(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` → JSON Schema ``type: [t, "null"]``."""
    if isinstance(node, dict):
        node = {k: _openapi30_nullable(v) for k, v in node.items()}
        if node.pop("nullable", False) and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_openapi30_nullable(v) for v in node]
    return node


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def discovery_to_jsonschema(discovery: dict[str, Any], root: str) -> dict[str, Any]:
    """Convert a Google discovery document's schemas into one JSON Schema rooted at ``root``.

    Mechanical, as the contracts README describes: ``$ref: X`` → ``#/definitions/X``,
    ``type: any`` → unconstrained, ``google-duration`` → a duration regex. Two strictness
    additions mirror the proto JSON parser FCM uses: every message object refuses unknown
    fields (``additionalProperties: false``) and accepts each field under both its
    lowerCamelCase and its snake_case name.
    """

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return {"$ref": f"#/definitions/{node['$ref']}"}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROP_KEYS or key in {"id", "readOnly", "deprecated"}:
                continue
            if key == "type" and value == "any":
                continue
            if key == "format":
                if value == "google-duration":
                    out["pattern"] = r"^-?\d+(\.\d{1,9})?s$"
                continue
            if key == "properties":
                props = {}
                for name, prop in value.items():
                    props[name] = convert(prop)
                    snake = _camel_to_snake(name)
                    if snake != name:
                        props[snake] = props[name]
                out["properties"] = props
                continue
            out[key] = convert(value)
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out

    definitions = {name: convert(schema) for name, schema in discovery["schemas"].items()}
    return {"$ref": f"#/definitions/{root}", "definitions": definitions}


@dataclass(frozen=True)
class Violation:
    """One contract violation: a dotted path into the request and a message."""

    path: str
    message: str
    validator: str
    missing: str | None = None  # for `required`: the missing property


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace every local ``$ref`` by a copy of its target (the contracts have no cycles).

    ``jsonschema`` resolves a ``$ref`` through its registry on every use, which made a
    100-personalization SendGrid body cost milliseconds; inlined, it costs microseconds.
    """

    def target(ref: str) -> Any:
        node: Any = schema
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(v, seen) for v in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and isinstance(node["$ref"], str) and node["$ref"].startswith("#/"):
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            merged = {**walk(target(ref), (*seen, ref))}
            merged.update({k: walk(v, seen) for k, v in node.items() if k != "$ref"})
            return merged
        return {k: walk(v, seen) for k, v in node.items()}

    return walk({k: v for k, v in schema.items() if k not in {"components", "definitions"}}, ())


# Formats the contracts use, checked the same way by the compiled fast path and by the
# error-reporting slow path. Loose on purpose: the providers' own rules (E.164 `To`, address
# syntax) are checked by the fakes with the providers' error codes.
FORMATS: dict[str, str] = {
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "uri": r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]+[^\s]*$",
    "phone-number": r"^\S.*$",
    "date-time": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$",
}


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    for name, pattern in FORMATS.items():
        compiled = re.compile(pattern)

        def check(value: Any, compiled: re.Pattern[str] = compiled) -> bool:
            return not isinstance(value, str) or compiled.match(value) is not None

        checker.checks(name)(check)
    return checker


class RequestValidator:
    """A compiled validator: ``violations(doc)`` is empty when ``doc`` is valid.

    The fast path is ``fastjsonschema`` (the schema compiled to Python code once): measured
    ~10x faster than ``jsonschema`` on these bodies. Only when it rejects do we run
    ``jsonschema`` to list every violation with its path.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        schema = inline_refs(schema)
        jsonschema.Draft7Validator.check_schema(schema)
        self.schema = schema
        self._fast = fastjsonschema.compile(
            {"$schema": "http://json-schema.org/draft-07/schema#", **schema},
            formats=FORMATS,
            use_default=False,
        )
        self._slow = jsonschema.Draft7Validator(schema, format_checker=_format_checker())

    def violations(self, document: Any) -> list[Violation]:
        try:
            self._fast(document)
            return []
        except fastjsonschema.JsonSchemaValueException:
            pass
        found = []
        for error in sorted(self._slow.iter_errors(document), key=lambda e: list(e.path)):
            path = ".".join(str(p) for p in error.absolute_path)
            missing = None
            if error.validator == "required":
                match = re.match(r"'([^']+)' is a required property", error.message)
                missing = match.group(1) if match else None
            found.append(Violation(path, error.message, str(error.validator), missing))
        if not found:  # the two engines disagree: trust the stricter one, say so
            found.append(Violation("", "request does not match the contract", "schema"))
        return found


class _AcceptAll(RequestValidator):
    def __init__(self) -> None:
        self.schema = {}

    def violations(self, document: Any) -> list[Violation]:
        return []


@dataclass
class Contracts:
    """Compiled validators for the three HTTP providers (requests and responses)."""

    directory: Path | None
    twilio_create: RequestValidator
    twilio_message: RequestValidator
    sendgrid_send: RequestValidator
    sendgrid_error: RequestValidator
    fcm_send: RequestValidator
    twilio_array_fields: frozenset[str]
    twilio_typed_fields: dict[str, str]
    # The Messages list (GET): its query parameters, typed, and its answer.
    twilio_list_query: RequestValidator = field(default_factory=lambda: _AcceptAll())
    twilio_list: RequestValidator = field(default_factory=lambda: _AcceptAll())
    twilio_list_typed_fields: dict[str, str] = field(default_factory=dict)
    # The Content API's ContentAndApprovals list (GET): its query, typed, and its answer.
    twilio_content_list_query: RequestValidator = field(default_factory=lambda: _AcceptAll())
    twilio_content_list: RequestValidator = field(default_factory=lambda: _AcceptAll())
    twilio_content_list_typed_fields: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.directory is not None


def _resolve_local_refs(schema: Any, components: dict[str, Any]) -> dict[str, Any]:
    """Attach the OpenAPI ``components`` so ``#/components/...`` refs resolve in place."""
    return {**schema, "components": components}


def contracts_load(directory: str | os.PathLike[str] | None = None) -> Contracts:
    """Read and compile the contracts, or raise ContractsMissing naming what is absent."""
    path = contracts_dir_resolve(directory)
    if not path.is_dir():
        raise ContractsMissing(
            f"provider contracts directory not found: {path} (set {CONTRACTS_ENV} or pass "
            "--contracts-dir; start with --no-contracts to run without request validation)"
        )
    absent = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if absent:
        raise ContractsMissing(f"provider contracts missing in {path}: {', '.join(absent)}")

    twilio = json.loads((path / TWILIO_FILE).read_text())
    components = _openapi30_nullable(_strip(twilio["components"]))
    create = twilio["paths"][TWILIO_CREATE_PATH]["post"]
    form_schema = _strip(
        create["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    )
    form_schema = _openapi30_nullable(form_schema)
    # Form fields all arrive as strings: remember which are arrays / typed so the fake can
    # coerce them the way Twilio's parser does before validating.
    array_fields = frozenset(
        name for name, prop in form_schema["properties"].items() if prop.get("type") == "array"
    )
    typed = {
        name: prop["type"]
        for name, prop in form_schema["properties"].items()
        if prop.get("type") in {"integer", "number", "boolean"}
    }
    twilio_create = RequestValidator(_resolve_local_refs(form_schema, components))
    message_schema = {"$ref": "#/components/schemas/api.v2010.account.message"}
    twilio_message = RequestValidator(_resolve_local_refs(message_schema, components))

    listing = twilio["paths"][TWILIO_CREATE_PATH]["get"]
    query_properties = {
        parameter["name"]: _openapi30_nullable(_strip(parameter["schema"]))
        for parameter in listing["parameters"]
        if parameter["in"] == "query"
    }
    query_schema = {"type": "object", "properties": query_properties, "additionalProperties": False}
    list_typed = {
        name: prop["type"]
        for name, prop in query_properties.items()
        if prop.get("type") in {"integer", "number", "boolean"}
    }
    twilio_list_query = RequestValidator(query_schema)
    list_schema = _openapi30_nullable(
        _strip(listing["responses"]["200"]["content"]["application/json"]["schema"])
    )
    # The file says `format: uri` for the page links, but Twilio answers with paths
    # ("/2010-04-01/Accounts/…/Messages.json?…") that its SDK appends to its base URL; an
    # absolute URL there would break the SDK's paging. Check them as URI references.
    for name in ("first_page_uri", "next_page_uri", "previous_page_uri", "uri"):
        list_schema["properties"][name]["format"] = "uri-reference"
    twilio_list = RequestValidator(_resolve_local_refs(list_schema, components))

    sendgrid = json.loads((path / SENDGRID_FILE).read_text())
    sg_components = _strip(sendgrid["components"])
    body = copy.deepcopy(sg_components["requestBodies"]["PostMailSend"])
    body_schema = body["content"]["application/json"]["schema"]
    # The published file types message-level `custom_args` as a string, but the live API and
    # the official SDK (Mail.custom_arg) send an object of string values; accept both.
    body_schema["properties"]["custom_args"] = {
        "oneOf": [
            {"type": "string"},
            {"type": "object", "additionalProperties": {"type": "string"}},
        ]
    }
    sendgrid_send = RequestValidator(_resolve_local_refs(body_schema, sg_components))
    error_schema = {"$ref": "#/components/schemas/ErrorResponse"}
    sendgrid_error = RequestValidator(_resolve_local_refs(error_schema, sg_components))

    fcm = json.loads((path / FCM_FILE).read_text())
    fcm_send = RequestValidator(discovery_to_jsonschema(fcm, "SendMessageRequest"))

    content = json.loads((path / TWILIO_CONTENT_FILE).read_text())
    content_components = _openapi30_nullable(_strip(content["components"]))
    approvals = content["paths"][TWILIO_CONTENT_APPROVALS_PATH]["get"]
    content_query = {
        parameter["name"]: _openapi30_nullable(_strip(parameter["schema"]))
        for parameter in approvals["parameters"]
        if parameter["in"] == "query"
    }
    content_list_schema = _openapi30_nullable(
        _strip(approvals["responses"]["200"]["content"]["application/json"]["schema"])
    )

    return Contracts(
        directory=path,
        twilio_create=twilio_create,
        twilio_message=twilio_message,
        sendgrid_send=sendgrid_send,
        sendgrid_error=sendgrid_error,
        fcm_send=fcm_send,
        twilio_array_fields=array_fields,
        twilio_typed_fields=typed,
        twilio_list_query=twilio_list_query,
        twilio_list=twilio_list,
        twilio_list_typed_fields=list_typed,
        twilio_content_list_query=RequestValidator(
            {"type": "object", "properties": content_query, "additionalProperties": False}
        ),
        twilio_content_list=RequestValidator(
            _resolve_local_refs(content_list_schema, content_components)
        ),
        twilio_content_list_typed_fields={
            name: prop["type"]
            for name, prop in content_query.items()
            if prop.get("type") in {"integer", "number", "boolean"}
        },
    )


def contracts_disabled() -> Contracts:
    """Validators that accept everything (``--no-contracts``); provider rules still apply."""
    accept = _AcceptAll()
    return Contracts(
        directory=None,
        twilio_create=accept,
        twilio_message=accept,
        sendgrid_send=accept,
        sendgrid_error=accept,
        fcm_send=accept,
        twilio_array_fields=frozenset({"MediaUrl", "PersistentAction"}),
        twilio_typed_fields={},
    )


def dotted(parts: Iterable[Any]) -> str:
    return ".".join(str(p) for p in parts)
