"""`python check_pdf.py FILE TEXT...`: FILE is a PDF whose text holds every TEXT (exit 1 if not)."""

import sys
from pathlib import Path

from pypdf import PdfReader


def main(path: str, *expected: str) -> int:
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-"):
        print(f"{path}: not a PDF ({data[:8]!r})")
        return 1
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    missing = [item for item in expected if item not in text]
    if missing:
        print(f"{path}: {len(reader.pages)} pages, text without {missing}")
        return 1
    print(f"{path}: {len(reader.pages)} pages, {len(data) // 1024} KiB, text found")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
