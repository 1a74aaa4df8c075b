"""Image files drawn on the documents (the organisation's logo), decoded once per content.

reportlab decodes and recompresses an image file for every document that draws it (a PNG
logo with transparency costs more than a page of text). Here the decoded image is kept,
keyed by the file's bytes: the next document copies it, and a logo replaced on disk, even
under the same name, is decoded afresh. The PDF is the same, byte for byte, as with
`canvas.drawImage(path, ..., mask="auto")`.
"""

import copy
import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.utils import _digester
from reportlab.pdfbase.pdfdoc import PDFImageXObject, PDFObjectReference
from reportlab.pdfgen.canvas import Canvas

__all__ = ["DECODED_LIMIT", "ImageFile", "clear_decoded", "draw_image", "read_image"]

DECODED_LIMIT = 8  # distinct image contents kept (a logo or two in practice)
_MASK = "auto"  # transparent PNG pixels stay transparent


@dataclass(frozen=True)
class ImageFile:
    """An image file's name (it names the image inside the PDF) and its bytes as read once
    for one document."""

    path: str
    data: bytes

    @property
    def key(self) -> tuple[str, str]:
        """What the decoded image depends on: the bytes, and the extension (a ".jpg" is
        embedded as it is, anything else is decoded)."""
        return hashlib.sha256(self.data).hexdigest(), Path(self.path).suffix.lower()


def read_image(path: Path) -> ImageFile | None:
    """The file's bytes, or None when it cannot be read."""
    try:
        return ImageFile(str(path), path.read_bytes())
    except OSError:
        return None


_decoded: OrderedDict[tuple[str, str], Any] = OrderedDict()
_lock = threading.Lock()


def clear_decoded() -> None:
    """Forget every decoded image (tests)."""
    with _lock:
        _decoded.clear()


def _decode(image: ImageFile) -> Any:
    """What PDFImageXObject(name, path, mask="auto") builds, from the bytes already read."""
    xobject = PDFImageXObject(_name(image), None, mask=_MASK)
    source = io.BytesIO(image.data)
    is_jpeg_name = Path(image.path).suffix.lower() in (".jpg", ".jpeg")
    if not (is_jpeg_name and xobject.loadImageFromJPEG(source)):
        if rl_config.useA85:
            xobject.loadImageFromA85(source)
        else:
            xobject.loadImageFromRaw(source)
    return xobject


def _decoded_copy(image: ImageFile) -> Any:
    """A fresh copy of the decoded image (a document registers and changes its copy)."""
    key = image.key
    with _lock:
        template = _decoded.get(key)
        if template is not None:
            _decoded.move_to_end(key)
    if template is None:
        template = _decode(image)
        with _lock:
            _decoded[key] = template
            while len(_decoded) > DECODED_LIMIT:
                _decoded.popitem(last=False)
    xobject = copy.copy(template)
    if getattr(template, "_smask", None) is not None:
        xobject._smask = copy.copy(template._smask)
    return xobject


def _name(image: ImageFile) -> str:
    """The name reportlab gives an image drawn from a file."""
    return str(_digester(f"{image.path}{_MASK}"))


def _register(canvas: Canvas, image: ImageFile) -> None:
    """Put the decoded image in the canvas's document, as drawImage does the first time it
    meets a file (it then finds it there and only draws it)."""
    document: Any = canvas._doc
    name = _name(image)
    registered_name = document.getXObjectName(name)
    if document.idToObject.get(registered_name) is not None:
        return
    xobject = _decoded_copy(image)
    xobject.name = name
    canvas._setXObjects(xobject)
    document.Reference(xobject, registered_name)
    document.addForm(name, xobject)
    smask = getattr(xobject, "_smask", None)
    if smask:
        mask_name = document.getXObjectName(smask.name)
        if document.idToObject.get(mask_name) is None:
            canvas._setXObjects(smask)
            xobject.smask = document.Reference(smask, mask_name)
        else:
            xobject.smask = PDFObjectReference(mask_name)
        del xobject._smask


def draw_image(
    canvas: Canvas,
    image: ImageFile,
    x: float,
    y: float,
    *,
    width: float,
    height: float,
    anchor: str = "c",
) -> tuple[float, float]:
    """Draw `image` fitted in the box (aspect ratio kept); the image's size in pixels.
    Raises what reportlab raises for a file that is not an image."""
    _register(canvas, image)
    size: tuple[float, float] = canvas.drawImage(
        image.path,
        x,
        y,
        width=width,
        height=height,
        preserveAspectRatio=True,
        anchor=anchor,
        mask=_MASK,
    )
    return size
