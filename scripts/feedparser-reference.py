#!/usr/bin/python3
"""What Python feedparser reads from each feed of the corpus, written as JSON next to it.

For every feed in tests/fixtures/corpus/corpus.json, parse the same bytes with feedparser (the URL it was fetched
from as Content-Location, so relative links resolve as ours do; the Content-Type when the corpus gives one) and
write tests/fixtures/corpus/feedparser/<file>.json: the entry count and, per entry, title, link, id, date (published,
else updated, as ISO 8601 UTC) and image URL. The image is chosen from feedparser's reading by the rule our parser
follows: media:content of an image medium or type, then media:thumbnail, then an enclosure of an image type, then
the first <img> of the content (not a 1x1 pixel).

Run: apt-get install -y python3-feedparser && /usr/bin/python3 scripts/feedparser-reference.py
"""
import calendar
import json
import re
import sys
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:[?#]|$)", re.I)
IMG = re.compile(r"<img\b((?:\"[^\"]*\"|'[^']*'|[^>\"'])*)>", re.I)


def attr(attrs, name):
    m = re.search(r"\s" + name + r"\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+))", " " + attrs, re.I)
    return None if not m else (m.group(1) or m.group(2) or m.group(3) or "").strip()


def is_image(url, medium=None, mime=None):
    if medium:
        return medium.lower() == "image"
    if mime:
        return mime.strip().lower().startswith("image/")
    return bool(url and IMAGE_EXT.search(url))


def iso(parsed):
    if not parsed:
        return None
    return "%04d-%02d-%02dT%02d:%02d:%02d.000Z" % tuple(parsed[:6]) if calendar.timegm(parsed) is not None else None


def image_of(entry):
    for c in entry.get("media_content", []):
        if c.get("url") and is_image(c["url"], c.get("medium"), c.get("type")):
            return c["url"]
    for t in entry.get("media_thumbnail", []):
        if t.get("url"):
            return t["url"]
    for e in entry.get("enclosures", []):
        if e.get("href") and is_image(e["href"], None, e.get("type")):
            return e["href"]
    html = " ".join(c.get("value", "") for c in entry.get("content", [])) or entry.get("summary", "")
    for m in IMG.finditer(html):
        src, width, height = attr(m.group(1), "src"), attr(m.group(1), "width"), attr(m.group(1), "height")
        if src and width != "1" and height != "1":
            return src
    return None


def read(item):
    data = (CORPUS / "feeds" / item["file"]).read_bytes()
    # As fetched: a Content-Type is always there (application/xml unless the corpus names one).
    headers = {"content-location": item["url"], "content-type": item.get("contentType", "application/xml")}
    d = feedparser.parse(data, response_headers=headers)
    return {
        "file": item["file"],
        "feedparser": feedparser.__version__,
        "version": d.get("version", ""),
        "bozo": str(d.get("bozo_exception", "")) if d.get("bozo") else None,
        "entries": [
            {
                "title": e.get("title", ""),
                "link": e.get("link", ""),
                "id": e.get("id", ""),
                "date": iso(e.get("published_parsed") or e.get("updated_parsed")),
                "image": image_of(e),
            }
            for e in d.entries
        ],
    }


def main():
    out = CORPUS / "feedparser"
    out.mkdir(exist_ok=True)
    for item in json.loads((CORPUS / "corpus.json").read_text()):
        reading = read(item)
        (out / (item["file"] + ".json")).write_text(json.dumps(reading, indent=2, ensure_ascii=False) + "\n")
        print(f"{item['file']}: {len(reading['entries'])} entries{' (bozo: ' + reading['bozo'] + ')' if reading['bozo'] else ''}", file=sys.stderr)


if __name__ == "__main__":
    main()
