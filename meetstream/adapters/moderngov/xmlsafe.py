"""XML from a council web site, parsed without trusting it.

The standard library's expat expands internal entities (a "billion laughs" document can take
gigabytes) and will report external entities to a handler. A modern.gov answer never needs either
(none of the public responses we have seen carries a DOCTYPE: tests/fixtures/moderngov), so any
DOCTYPE, entity declaration or external entity reference is refused outright, before anything is
expanded. This is defusedxml's policy (forbid_dtd), done with expat itself so meetstream needs no
new dependency.

Tag names come back lower-case and without a namespace prefix: modern.gov writes nearly all of its
tags in lower case but not all (`restrictionsRef`), and an install that wraps its answer in a
namespace should still be read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat


class XmlRefused(ValueError):
    """The document is not well-formed, or it declares what we never accept (a DOCTYPE, entities)."""


def parse_xml(data: bytes | str) -> ET.Element:
    """The root element of `data`. Raises XmlRefused, with a short reason, for anything else."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    # Parameter entities are where external DTD subsets hide; never read them.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(name, sysid, pubid, has_internal_subset):
        raise XmlRefused("it declares a DOCTYPE (refused: entity expansion and external entities are never accepted)")

    def refuse_entity(name, *args):
        raise XmlRefused(f"it declares the entity {name!r} (refused)")

    def refuse_external(context, base, sysid, pubid):
        raise XmlRefused("it refers to an external entity (refused)")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = lambda tag, attrs: builder.start(_local(tag), attrs)
    parser.EndElementHandler = lambda tag: builder.end(_local(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        root = builder.close()
    except expat.ExpatError as err:
        raise XmlRefused(f"line {err.lineno}, column {err.offset}: {expat.ErrorString(err.code)}") from None
    except AssertionError:  # TreeBuilder: no root element at all
        raise XmlRefused("it is empty") from None
    except LookupError as err:  # an encoding Python does not know, declared in the XML prolog
        raise XmlRefused(f"it declares an encoding that cannot be read ({err})") from None
    if root is None:
        raise XmlRefused("it is empty")
    return root


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].lower()
