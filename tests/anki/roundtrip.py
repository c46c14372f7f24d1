#!/usr/bin/env python3
"""Round trips between Yadgar and Anki's own backend (the `anki` package
from PyPI), driven by tests/anki_roundtrip.rs.

    roundtrip.py make OUT_DIR
        Builds a collection with real Anki: basic notes (one with HTML and
        entities), a "Basic (and reversed card)" note, a cloze note and
        tags; answers some cards through the scheduler so there is a
        revlog; suspends one card. Writes OUT_DIR/modern.apkg (the default,
        zstd-compressed collection.anki21b), OUT_DIR/legacy.apkg (the
        "support older Anki versions" export) and OUT_DIR/expected.json
        (what Yadgar should import from them).

    roundtrip.py check PACKAGE EXPECTED_JSON
        Imports PACKAGE (written by `yadgar export`) into a fresh Anki
        collection with scheduling, and checks the note count, the fields,
        the tags and the revlog rows against EXPECTED_JSON, which lists
        {"cards": [{"question", "answer", "tags"}], "reviews": N}.

Exits non-zero, with the reason on stderr, when a check fails.
"""

import html
import json
import os
import sys
import tempfile

from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions


def fail(message):
    print(f"roundtrip.py: {message}", file=sys.stderr)
    sys.exit(1)


def make(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp()
    col = Collection(os.path.join(tmp, "collection.anki2"))
    deck_id = col.decks.id("Soviet Iran")
    basic = col.models.by_name("Basic")
    reversed_ = col.models.by_name("Basic (and reversed card)")
    cloze = col.models.by_name("Cloze")

    def add(model, fields, tags):
        note = col.new_note(model)
        for i, value in enumerate(fields):
            note.fields[i] = value
        note.tags = tags
        col.add_note(note, deck_id)
        return note

    add(basic, ["When was the treaty of friendship signed?", "26 February 1921"], ["Treaties", "1917-1921"])
    add(
        basic,
        ["Who led the <b>Russian</b> side&nbsp;in&nbsp;1921?", "<div>Chicherin</div><div>G. V.</div>"],
        ["diplomacy"],
    )
    add(basic, ["Which port &amp; city?<br>Name it", "Enzeli &lt;Anzali&gt;[sound:enzeli.mp3]"], [])
    add(reversed_, ["Reza Shah", "Shah of Iran 1925&#8211;1941"], ["actors"])
    add(cloze, ["The {{c1::Tudeh}} party was founded in {{c2::1941}}.", ""], ["parties"])

    # Answer the first few cards the scheduler gives: a revlog to import.
    col.decks.set_current(deck_id)
    reviews = 0
    for ease in [3, 1, 3, 4]:
        card = col.sched.getCard()
        if card is None:
            break
        col.sched.answerCard(card, ease)
        reviews += 1
    if reviews == 0:
        fail("the scheduler gave no card to answer")
    suspended = col.find_cards("Enzeli")
    col.sched.suspend_cards(suspended)

    for name, legacy in [("modern.apkg", False), ("legacy.apkg", True)]:
        col.export_anki_package(
            out_path=os.path.join(out_dir, name),
            options=ExportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=True, with_media=False, legacy=legacy
            ),
            limit=DeckIdLimit(deck_id),
        )
    revlog_rows = col.db.scalar("select count() from revlog where type < 4 and ease > 0")
    expected = {
        "deck": "Soviet Iran",
        "cards": col.card_count(),
        "reviews": revlog_rows,
        "suspended": len(suspended),
    }
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
    col.close()


def text(field):
    """A field Yadgar wrote, as plain text: line breaks back, entities
    decoded, the marked accept/note blocks left out."""
    field = field.split('<div class="yadgar-')[0]
    return html.unescape(field.replace("<br>", "\n"))


def check(package, expected_path):
    with open(expected_path) as f:
        expected = json.load(f)
    tmp = tempfile.mkdtemp()
    col = Collection(os.path.join(tmp, "collection.anki2"))
    request = ImportAnkiPackageRequest(
        package_path=os.path.abspath(package),
        options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True),
    )
    col.import_anki_package(request)
    note_ids = col.find_notes("")
    cards = expected["cards"]
    if len(note_ids) != len(cards):
        fail(f"Anki imported {len(note_ids)} notes, expected {len(cards)}")
    found = {}
    for nid in note_ids:
        note = col.get_note(nid)
        found[text(note.fields[0])] = note
    for card in cards:
        note = found.get(card["question"])
        if note is None:
            fail(f"no note with the question {card['question']!r}; notes: {sorted(found)}")
        if text(note.fields[1]) != card["answer"]:
            fail(f"note {card['question']!r}: back {note.fields[1]!r} is not {card['answer']!r}")
        if sorted(note.tags) != sorted(card["tags"]):
            fail(f"note {card['question']!r}: tags {note.tags} != {card['tags']}")
    reviews = col.db.scalar("select count() from revlog")
    if reviews != expected["reviews"]:
        fail(f"Anki has {reviews} revlog rows, expected {expected['reviews']}")
    reviewed_cards = col.db.scalar("select count() from cards where type != 0")
    if expected["reviews"] > 0 and reviewed_cards == 0:
        fail("every imported card is new although reviews were exported")
    suspended = col.db.scalar("select count() from cards where queue = -1")
    if suspended != expected.get("suspended", 0):
        fail(f"Anki has {suspended} suspended cards, expected {expected.get('suspended', 0)}")
    # Anki itself must be able to study the imported deck.
    problems = col.fix_integrity()
    col.close()
    print(f"ok: {len(note_ids)} notes, {reviews} revlog rows, {suspended} suspended; integrity check: {problems[0]!r}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
