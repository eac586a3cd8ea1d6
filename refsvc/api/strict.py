"""Request schemas that refuse unknown fields and name the field the caller most likely meant.

Callers send CSL-JSON's names (``author``, ``issued``) inside friendly metadata, or misspell a
field; marshmallow's bare "Unknown field." leaves them guessing. The field is still refused
(nothing is guessed into the request), but the message says what to send instead.
"""
from __future__ import annotations

import difflib
from typing import Any, ClassVar

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, pre_load


class StrictSchema(Schema):
    """A request schema: unknown fields are refused, with "did you mean" where one is near.

    ``aliases`` maps names callers use elsewhere (CSL-JSON's, other APIs') to this schema's field;
    ``advice`` gives a whole sentence for a field that belongs to another endpoint. Otherwise the
    nearest field name by spelling is offered, if it is close enough to be the one meant; a name
    like no field gets marshmallow's plain message.
    """

    aliases: ClassVar[dict[str, str]] = {}
    advice: ClassVar[dict[str, str]] = {}

    class Meta:
        unknown = RAISE

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        messages = error.messages
        if many and isinstance(messages, dict):
            for row in messages.values():
                self._name_what_was_meant(row)
        else:
            self._name_what_was_meant(messages)
            _in_input_order(messages, data)

    def _name_what_was_meant(self, messages: Any) -> None:
        unknown = self.error_messages["unknown"]
        if not isinstance(messages, dict):
            return
        for key, problems in messages.items():
            if problems == [unknown] and isinstance(key, str):
                meant = self._meant(key)
                if key in self.advice:
                    messages[key] = [f"Unknown field; {self.advice[key]}"]
                elif meant:
                    messages[key] = [f"Unknown field; did you mean '{meant}'?"]

    def _meant(self, key: str) -> str | None:
        return meant(key, self, self.aliases)


def _in_input_order(messages: Any, data: Any) -> None:
    """Errors keyed in the order the request wrote its fields, at every level: marshmallow names
    unknown fields in a set's order, which changes from one process to the next."""
    if not (isinstance(messages, dict) and isinstance(data, dict)):
        return
    order = {key: n for n, key in enumerate(data)}
    for key, value in messages.items():
        if key in order:
            _in_input_order(value, data[key])
    ordered = sorted(messages.items(), key=lambda item: order.get(item[0], len(order)))
    messages.clear()
    messages.update(ordered)


class QuerySchema(Schema):
    """Query parameters: others pass unread (a cache-buster, a tracking tag), but a near miss of a
    parameter (``styles`` for ``style``) is refused with the one meant, since it would do nothing."""

    aliases: ClassVar[dict[str, str]] = {}

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _near_misses(self, data: Any, **kwargs: Any) -> Any:
        fields = {field.data_key or name for name, field in self.load_fields.items()}
        misses = {key: [f"Unknown parameter; did you mean '{name}'?"]
                  for key in data if key not in fields and (name := meant(key, self, self.aliases))}
        if misses:
            raise ValidationError(misses)
        return data


def meant(key: str, schema: Schema, aliases: dict[str, str]) -> str | None:
    """The field of ``schema`` that ``key`` most likely means: an alias, the same name in another
    case or with '-' for '_', or a name spelt nearly the same; None when nothing is near."""
    names = [field.data_key or name for name, field in schema.load_fields.items()]
    folded = key.lower().replace("-", "_")
    for alias, name in aliases.items():
        if alias.lower().replace("-", "_") == folded and name in names:
            return name
    for name in names:
        if name.lower().replace("-", "_") == folded:
            return name
    close = difflib.get_close_matches(folded, names, n=1, cutoff=0.8)
    return close[0] if close else None
