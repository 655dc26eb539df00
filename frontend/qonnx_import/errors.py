"""The importer's error: one line naming the file, node or tensor at fault, and the
node names it uses (the user's, kept across qonnx's renaming cleanup)."""

from __future__ import annotations

from frontend.qonnx_import.proto import NodeProto


class QonnxImportError(Exception):
    """The model cannot be imported; the message is one line naming what is wrong
    (line breaks and other control characters of names in it are escaped)."""

    def __init__(self, message: str):
        super().__init__(_escape_controls(message))


def _escape_controls(text: str) -> str:
    """`text` with control characters (a tensor named 'a\\nb') escaped as in repr."""
    return "".join(repr(c)[1:-1] if not c.isprintable() and c != " " else c for c in text)


ORIGINAL_NAME = "qnn-original-name:"
"""Prefix of the doc_string in which the importer keeps a node's name across cleanup
(qonnx renames every node), so errors name the node as the user's file does."""


def one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def original_name(node: NodeProto) -> str:
    """The node's name in the user's file (qonnx cleanup renames nodes)."""
    if node.doc_string.startswith(ORIGINAL_NAME):
        first_line = node.doc_string.split("\n", 1)[0]
        return first_line.removeprefix(ORIGINAL_NAME) or node.name
    return node.name


def node_label(node: NodeProto) -> str:
    return f"{node.op_type} node '{original_name(node)}'"
