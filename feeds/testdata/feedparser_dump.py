"""Parse each feed file named on the command line with feedparser and print,
as one JSON list, what it saw. Used by validate_test.go as an independent
parser of Tributary's renderings."""
import calendar
import json
import sys

import feedparser


def when(st):
    return calendar.timegm(st) if st else None


def source(s):
    """The parts of an entry's source that the tests compare."""
    if not s:
        return {}
    out = {k: s[k] for k in ("title", "href", "id") if s.get(k)}
    for l in s.get("links", []):
        if l.get("rel") in ("alternate", "self"):
            out[l["rel"] if l["rel"] == "self" else "link"] = l.get("href")
    if "link" in out and out.get("href") == out["link"]:
        del out["href"]
    return out


out = []
for path in sys.argv[1:]:
    d = feedparser.parse(path)
    f = d.feed
    out.append({
        "bozo": bool(d.bozo),
        "bozo_exception": str(d.get("bozo_exception", "")),
        "version": d.version,
        "feed": {
            "title": f.get("title"),
            "link": f.get("link"),
            "subtitle": f.get("subtitle"),
            "id": f.get("id"),
            "updated": when(f.get("updated_parsed")),
            "generator": f.get("generator"),
            "self": [l.get("href") for l in f.get("links", []) if l.get("rel") == "self"],
            "language": f.get("language"),
            "rights": f.get("rights"),
            "icon": f.get("icon"),
            "logo": f.get("logo"),
            "image": f.get("image", {}).get("href"),
            "hub": [l.get("href") for l in f.get("links", []) if l.get("rel") == "hub"],
        },
        "entries": [{
            "id": e.get("id"),
            "link": e.get("link"),
            "title": e.get("title"),
            "author": e.get("author"),
            "authors": [{"name": a.get("name"), "email": a.get("email"), "href": a.get("href")} for a in e.get("authors", [])],
            "published": when(e.get("published_parsed")),
            "updated": when(e.get("updated_parsed")),
            "tags": [t.get("term") for t in e.get("tags", [])],
            "summary": e.get("summary"),
            "content": [c.get("value") for c in e.get("content", [])],
            "enclosures": [{"href": x.get("href"), "type": x.get("type"), "length": x.get("length")} for x in e.get("enclosures", [])],
            "media_content": [dict(m) for m in e.get("media_content", [])],
            "media_credit": [dict(m) for m in e.get("media_credit", [])],
            "categories": [{"term": t.get("term") or "", "scheme": t.get("scheme") or "", "label": t.get("label") or ""} for t in e.get("tags", [])],
            "source": source(e.get("source")),
            "itunes_duration": e.get("itunes_duration"),
            "itunes_explicit": e.get("itunes_explicit"),
            "image": e.get("image", {}).get("href"),
        } for e in d.entries],
    })
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
