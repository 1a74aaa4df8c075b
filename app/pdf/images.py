"""Image files drawn on the documents (the organisation's logo), decoded once per content.

reportlab decodes and recompresses an image file for every document that draws it (a PNG
logo with transparency costs more than a page of text). Here the decoded image is kept,
keyed by the file's bytes: the next document copies it, and a logo replaced on disk, even
under the same name, is decoded afresh. The PDF is the same, byte for byte, as with
`canvas.drawImage(path, ..., mask="auto")`.

Nothing larger than MAX_IMAGE_SIDE pixels on a side is decoded: the size is read from the
PNG or JPEG header first (`pixel_size`), and Pillow's decompression-bomb limit is set to
MAX_IMAGE_PIXELS. A logo saved before that limit existed is left out of the document (logged)
instead of costing gigabytes per document.
"""

import copy
import hashlib
import io
import logging
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import _digester
from reportlab.pdfbase.pdfdoc import PDFImageXObject, PDFObjectReference
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "DECODED_LIMIT",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SIDE",
    "ImageFile",
    "ImageTooLarge",
    "check_size",
    "clear_decoded",
    "draw_image",
    "pixel_size",
    "read_image",
]

DECODED_LIMIT = 8  # distinct image contents kept (a logo or two in practice)
_MASK = "auto"  # transparent PNG pixels stay transparent
# The largest image decoded: 4 000 x 4 000 pixels, 64 MB once decoded with transparency.
MAX_IMAGE_SIDE = 4000
MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE
# Pillow warns above this many pixels and refuses above twice as many (decompression bombs).
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

log = logging.getLogger(__name__)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG "start of frame" markers, which hold the size (not DHT C4, JPG C8, DAC CC).
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# JPEG markers without a length field: TEM, RST0-7, SOI.
_JPEG_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})


class ImageTooLarge(ValueError):
    """An image wider or taller than MAX_IMAGE_SIDE pixels."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"image of {width} x {height} pixels")
        self.width = width
        self.height = height


def pixel_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG read from its header (nothing is decoded); None
    when the bytes are neither, or the header is cut short."""
    if data.startswith(_PNG_SIGNATURE):
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        if marker == 0xDA:  # start of scan: no frame header before it
            return None
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_FRAMES:
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + length
    return None


def check_size(data: bytes) -> None:
    """ImageTooLarge when the header says the image exceeds MAX_IMAGE_SIDE on a side."""
    size = pixel_size(data)
    if size is not None and max(size) > MAX_IMAGE_SIDE:
        raise ImageTooLarge(*size)


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
    """What PDFImageXObject(name, path, mask="auto") builds, from the bytes already read;
    ImageTooLarge, before anything is decoded, for an image over the limit."""
    try:
        check_size(image.data)
    except ImageTooLarge as error:
        log.warning("image %s not drawn: %s (at most %d a side)", image.path, error, MAX_IMAGE_SIDE)
        raise
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
