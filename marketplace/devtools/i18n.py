"""Translation chores for the Russian catalogue (needs the dev requirements).

python -m marketplace.devtools.i18n export DIR [CHUNK]   # untranslated/fuzzy entries → DIR/chunk-NN.json
python -m marketplace.devtools.i18n import DIR           # DIR/*.json (msgid → msgstr or [plural forms]) → .po
python -m marketplace.devtools.i18n stats                # how many entries are still untranslated
python -m marketplace.devtools.i18n compile              # .po → .mo without GNU gettext
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _pending(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def export(directory: str, chunk: int | str = 250) -> None:
    chunk = int(chunk)
    po = polib.pofile(str(PO))
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    pending = _pending(po)
    for start in range(0, len(pending), chunk):
        items = []
        for entry in pending[start : start + chunk]:
            item = {"msgid": entry.msgid, "msgstr": ""}
            if entry.msgid_plural:
                item["msgid_plural"] = entry.msgid_plural
                item["msgstr"] = ["", "", ""]
            if entry.msgctxt:
                item["msgctxt"] = entry.msgctxt
            item["where"] = [f"{path}:{line}" for path, line in entry.occurrences[:2]]
            items.append(item)
        (out / f"chunk-{start // chunk:02d}.json").write_text(json.dumps(items, ensure_ascii=False, indent=1))
    print(f"{len(pending)} entries to translate in {out}")


def import_(directory: str) -> None:
    po = polib.pofile(str(PO))
    index = {(e.msgctxt, e.msgid): e for e in po}
    done = 0
    for path in sorted(Path(directory).glob("*.json")):
        for item in json.loads(path.read_text()):
            entry = index.get((item.get("msgctxt"), item["msgid"]))
            if entry is None:
                continue
            if entry.msgid_plural:
                forms = item["msgstr"] if isinstance(item["msgstr"], list) else [item["msgstr"]] * 3
                if all(forms):
                    entry.msgstr_plural = {i: form for i, form in enumerate(forms[:3])}
                    done += 1
            elif item["msgstr"]:
                entry.msgstr = item["msgstr"]
                done += 1
            else:
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.metadata["Plural-Forms"] = (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>=14) ? 1 : 2);"
    )
    po.metadata["Language"] = "ru"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    print(f"{done} translations imported")


def stats() -> None:
    po = polib.pofile(str(PO))
    print(f"{len(_pending(po))} of {len([e for e in po if not e.obsolete])} entries untranslated or fuzzy")


def compile_() -> None:
    po = polib.pofile(str(PO))
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    print(f"compiled {PO.with_suffix('.mo')}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"export": export, "import": import_, "stats": stats, "compile": compile_}[command](*args)
